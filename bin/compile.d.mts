// Types for bin/compile.mjs (plain JS so that `npm install` can run it before anything is compiled).
export declare const ROOT: string;
export declare const CACHE_DIR: string;
/** The compiled CLI entry when it is current, else null. */
export declare function currentBuild(): string | null;
/** Compiles the CLI; resolves with its entry file. */
export declare function compile(): Promise<string>;
