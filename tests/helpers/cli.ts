import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** `meiduo …` as a child process, with extra environment. */
export function meiduo(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [path.join(ROOT, 'bin/meiduo.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
}

/** Runs `meiduo …` to the end: resolves with its stdout, rejects with the exit code and all output. */
export function run(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = meiduo(args, env);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // 'close', not 'exit': a process can exit before the last of a large stdout has been read
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`meiduo ${args.join(' ')} → ${code}\n${out}${err}`))));
  });
}
