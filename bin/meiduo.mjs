#!/usr/bin/env node
// The `meiduo` command: runs the compiled CLI (bin/compile.mjs), compiling it first when a source
// changed since the last build. Without esbuild (an install that left it out) it falls back to
// running the TypeScript through tsx: slower to start, same behaviour.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { compile, currentBuild } from './compile.mjs';

// A .env file in the working directory fills in variables the environment does not set.
if (existsSync('.env')) process.loadEnvFile('.env');

let entry = currentBuild();
if (!entry) {
  try {
    entry = await compile();
  } catch (err) {
    if (process.env.MEIDUO_DEBUG) console.error(err);
    entry = null;
  }
}
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../jobs/cli.ts');
}
