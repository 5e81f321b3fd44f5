import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Where the program runs from. The CLI runs either as TypeScript (tests, through vitest or tsx) or
// compiled ahead of time into node_modules/.cache/meiduo/cli (bin/compile.mjs), so paths are never
// derived from "the folder this file is in" alone.

const here = path.dirname(fileURLToPath(import.meta.url));

/** The project folder: the nearest folder upwards that holds astro.config.mjs. */
export const ROOT = (() => {
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'astro.config.mjs'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no astro.config.mjs above ${here}`);
  }
})();

/**
 * A worker thread's entry script. Compiled, it is `<name>.worker.mjs` beside the bundle's chunks
 * (bin/compile.mjs builds it from jobs/<name>.thread.ts); from source, `jobs/<name>.worker.mjs`, a
 * shim that registers tsx and imports the same jobs/<name>.thread.ts. One expression serves both,
 * because this module sits in jobs/ and the compiled chunks sit in the bundle's root.
 */
export function threadEntry(name: string): URL {
  return new URL(`./${name}.worker.mjs`, import.meta.url);
}
