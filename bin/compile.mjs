#!/usr/bin/env node
// Compiles the `meiduo` command ahead of time: esbuild bundles jobs/cli.ts (and the worker-thread
// entries) into node_modules/.cache/meiduo/cli/, one chunk per lazily loaded part, with every npm
// package left external. Loading that takes a fraction of transpiling the TypeScript through tsx at
// every start (measured in bench/cli.mjs). `npm install` runs it (`prepare`); bin/meiduo.mjs runs it
// again whenever a source file changed since, so there is no compile step to forget.
//
// Each build goes into its own folder named by its content hash, and current.json names the newest:
// a running `meiduo serve` keeps importing its lazily loaded chunks from the folder it started from,
// however often the CLI is recompiled meanwhile (the three newest folders are kept).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'meiduo');
const CURRENT = path.join(CACHE_DIR, 'current.json');
const KEEP = 3;

/**
 * Packages bundled rather than left external: knex and everything it requires at run time. knex
 * is some 200 CommonJS files, and resolving and reading them one by one was the largest part of
 * `meiduo jobs` (about 60 ms of ~300 ms). The database drivers knex loads by name stay external
 * (they are not its dependencies), found through the `require` the banner provides.
 */
function bundledPackages() {
  const names = new Set();
  const visit = (name) => {
    if (names.has(name)) return;
    let pkg;
    try {
      pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    } catch {
      return; // optional and not installed
    }
    names.add(name);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  visit('knex');
  return names;
}

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** Entry points: output name → source. Thread entries are named as jobs/runtime.ts threadEntry() expects. */
function entryPoints() {
  const entries = { cli: 'jobs/cli.ts' };
  for (const f of fs.readdirSync(path.join(ROOT, 'jobs'))) {
    const m = /^(.+)\.thread\.ts$/.exec(f);
    if (m) entries[`${m[1]}.worker`] = `jobs/${f}`;
  }
  return entries;
}

/**
 * The compiled entry when it is current: every source file it was built from is unchanged (size and
 * mtime), and no thread entry appeared or vanished. About a hundred stat calls, ~1 ms.
 */
export function currentBuild() {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(CURRENT, 'utf8'));
  } catch {
    return null;
  }
  if (JSON.stringify(stamp.entries) !== JSON.stringify(entryPoints())) return null;
  for (const [file, [size, mtimeMs]] of Object.entries(stamp.inputs)) {
    let st;
    try {
      st = fs.statSync(path.join(ROOT, file));
    } catch {
      return null;
    }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return null;
  }
  const entry = path.join(CACHE_DIR, stamp.dir, 'cli.mjs');
  return fs.existsSync(entry) ? entry : null;
}

export async function compile() {
  const esbuild = await import('esbuild');
  const entries = entryPoints();
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = path.join(CACHE_DIR, `tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: entries,
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      // CommonJS code inside an ESM bundle requires the external packages through this
      banner: { js: "import { createRequire as __meiduoRequire } from 'node:module'; const require = __meiduoRequire(import.meta.url);" },
      plugins: [
        {
          name: 'external-packages',
          setup(b) {
            const bundled = bundledPackages();
            b.onResolve({ filter: /^[^./]/ }, (a) => (bundled.has(packageName(a.path)) ? undefined : { external: true }));
          },
        },
      ],
      metafile: true,
      logLevel: 'error',
    });
    const inputs = {};
    const lock = fs.statSync(path.join(ROOT, 'package-lock.json'));
    inputs['package-lock.json'] = [lock.size, lock.mtimeMs];
    for (const file of Object.keys(result.metafile.inputs)) {
      if (file.startsWith('node_modules/')) continue; // package-lock.json stands for those
      const st = fs.statSync(path.join(ROOT, file));
      inputs[file] = [st.size, st.mtimeMs];
    }
    const h = crypto.createHash('sha256');
    for (const file of Object.keys(result.metafile.outputs).sort()) h.update(file).update(fs.readFileSync(path.join(ROOT, file)));
    const dir = `cli-${h.digest('hex').slice(0, 12)}`;
    try {
      fs.renameSync(tmp, path.join(CACHE_DIR, dir));
    } catch {
      // the same build is already there (another process compiled it a moment ago)
    }
    const stampTmp = `${CURRENT}.${process.pid}.tmp`;
    fs.writeFileSync(stampTmp, JSON.stringify({ dir, entries, inputs }));
    fs.renameSync(stampTmp, CURRENT);
    prune(dir);
    return path.join(CACHE_DIR, dir, 'cli.mjs');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function prune(current) {
  const dirs = fs
    .readdirSync(CACHE_DIR)
    .filter((d) => d.startsWith('cli-') && d !== current)
    .map((d) => ({ d, t: fs.statSync(path.join(CACHE_DIR, d)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { d } of dirs.slice(KEEP - 1)) fs.rmSync(path.join(CACHE_DIR, d), { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const entry = await compile();
  console.log(`meiduo: compiled the CLI into ${path.relative(ROOT, path.dirname(entry))} in ${Math.round(performance.now() - started)} ms`);
}
