// The job path's own latency (issue 18): a SKU renamed through the catalog service while `meiduo serve`
// (its embedded job worker) runs on a built shop; timed from the commit to the new search manifest
// (pages.rebuild picks the change up, renders, queues the search request; search.rebuild publishes)
// and to /api/search answering the new name. Run it on a small catalog to see the queue's share
// (the publish itself is bench/search-edit.mjs's subject):
//   SEARCH_JOB_DIST=<dist of a `meiduo build`> SEARCH_JOB_DB=sqlite:<that catalog> node bench/search-job-latency.mjs
// SEARCH_JOB_WORKER=1: the production shape — `meiduo serve` with JOBS_IN_PROCESS=off and a
// `meiduo worker` beside it (its search publisher warm by default; SEARCH_PUBLISHER=lazy|warm is
// passed on to both). SEARCH_JOB_SETTLE_S: seconds to wait after the start before the first edit
// (a warm publisher tokenizes the catalog then). Reported too: the job process's RSS (the worker's,
// or serve's with its embedded worker) after the start and after the edits, and its CPU seconds.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { ROOT, cpuMs, loadAverage, machine, startServer } from './lib.mjs';

register();
const PORT = 18133;
const RUNS = Number(process.env.BENCH_RUNS || 5);
const dist = process.env.SEARCH_JOB_DIST;
const url = process.env.SEARCH_JOB_DB;
if (!dist || !url) throw new Error('SEARCH_JOB_DIST and SEARCH_JOB_DB are required');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const { parseDatabaseUrl } = await import('../api/config.ts');
const { createDb } = await import('../api/db/knex.ts');
const { updateSku } = await import('../api/services/catalog/catalog-editor.ts');
const { systemContext } = await import('../api/context.ts');
const { systemClock } = await import('../api/clock.ts');
const db = createDb(parseDatabaseUrl(url));
const ctx = systemContext('bench:search-job', { db, clock: systemClock });
const manifestFile = path.join(dist, 'client', 'search', 'manifest.json');
const generation = () => JSON.parse(fs.readFileSync(manifestFile, 'utf8')).generation;
const count = (await db('skus').where('is_launched', true).count({ n: '*' }).first()).n;
console.log(`${machine()}; ${count} SKUs; load ${loadAverage()}`);
const separate = process.env.SEARCH_JOB_WORKER === '1';
/** The job process's 'search index published' log lines (its log, on stderr) (its publishes: ms, CPU, SKUs tokenized). */
const publishes = [];
const warmed = [];
const rebuilt = [];
/** A log line, its time in epoch ms (the logger writes ISO times). */
const logged = (l) => {
  const o = JSON.parse(l);
  return { ...o, time: Date.parse(o.time) };
};
const logLines = (child) => {
  let rest = '';
  child.stderr.on('data', (b) => {
    const lines = (rest + b).split('\n');
    rest = lines.pop();
    for (const l of lines) {
      if (!l.startsWith('{') || JSON.parse(l).level >= 40) process.stderr.write(l + '\n'); // warnings and errors, as before
      if (l.includes('search index published')) publishes.push(logged(l));
      if (l.includes('search publisher warm')) warmed.push(JSON.parse(l));
      if (l.includes('"pages rebuilt"')) rebuilt.push(logged(l));
    }
  });
};
const server = await startServer(PORT, { DATABASE_URL: url, DIST_DIR: dist, LOG_LEVEL: 'info', ...(separate ? { JOBS_IN_PROCESS: 'off' } : {}) }, { stderr: !separate });
const worker = separate
  ? spawn(process.execPath, [path.join(ROOT, 'bin/meiduo.mjs'), 'worker'], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: url, DIST_DIR: dist, LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'],
    })
  : null;
logLines(worker ?? server);
const jobPid = (worker ?? server).pid;
const rssMb = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${jobPid}/status`, 'utf8'))[1]) / 1024);
const hwmMb = () => Math.round(Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${jobPid}/status`, 'utf8'))[1]) / 1024);
const settle = Number(process.env.SEARCH_JOB_SETTLE_S || 0);
const started = performance.now();
await new Promise((r) => setTimeout(r, settle * 1000 + (separate ? 2000 : 0)));
for (const w of warmed) console.log(`search publisher warmed at start: ${w.docs} SKUs, ${w.files} files hashed, ${(w.ms / 1000).toFixed(2)} s, process RSS then ${w.rssMb} MB`);
console.log(`${separate ? 'worker' : 'serve (embedded worker)'} SEARCH_PUBLISHER=${process.env.SEARCH_PUBLISHER ?? '(default)'}: ${((performance.now() - started) / 1000).toFixed(1)} s after start, RSS ${rssMb()} MB, CPU ${(cpuMs(jobPid) / 1000).toFixed(2)} s; load ${loadAverage()}`);
const cpuBefore = cpuMs(jobPid);
const sku = await db('skus').where('is_launched', true).orderBy('id').first('id', 'name');
const page = path.join(dist, 'client', 'goods', `${sku.id}.html`);
const pageTime = () => fs.statSync(page, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const toManifest = [];
const toFound = [];
const toPage = [];
const commits = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const word = `队列测速版${i}`;
    const before = generation();
    const pageBefore = pageTime();
    await updateSku(ctx, sku.id, { name: `${sku.name} ${word}` });
    const t = performance.now();
    commits.push(Date.now());
    let paged = 0;
    while (generation() === before) {
      if (performance.now() - t > 60_000) throw new Error('no new manifest');
      if (!paged && pageTime() !== pageBefore) paged = performance.now() - t;
      await new Promise((r) => setTimeout(r, 10));
    }
    toManifest.push(performance.now() - t);
    toPage.push(paged || performance.now() - t);
    for (;;) {
      const r = await (await fetch(`http://127.0.0.1:${PORT}/api/search?q=${encodeURIComponent(word)}`)).json();
      if ((r.results ?? r.data?.results ?? []).some((x) => x.id === sku.id)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    toFound.push(performance.now() - t);
  }
  const s = (xs) => `median ${(pct(xs, 50) / 1000).toFixed(2)} s, max ${(Math.max(...xs) / 1000).toFixed(2)} s`;
  console.log(`job path, commit → new manifest: ${s(toManifest)}; commit → /api/search answers: ${s(toFound)} (${RUNS} edits)`);
  // the first edit meets a fresh publisher thread (a publish from nothing); the rest, its kept state
  console.log(`  each edit, commit → /api/search answers: ${toFound.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
  console.log(`  each edit, commit → its SKU page rewritten (pages.rebuild done): ${toPage.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
  await new Promise((r) => setTimeout(r, 500)); // the last publish's log line
  // per edit, from the job process's log (times after the commit): the pages.rebuild run logged its
  // end (after it queued the search request and wrote the build stamp); the search.rebuild run began
  // (its end minus its own time); the publish: wall, CPU of the process, SKUs tokenized
  const split = commits.map((c) => {
    const pages = rebuilt.find((r) => r.time > c && r.changes > 0);
    const pub = publishes.find((p) => p.scope === 'index' && p.time - p.ms > c);
    if (!pages || !pub) return '?';
    return `pages run ended ${((pages.time - c) / 1000).toFixed(2)} s, search run began ${((pub.time - pub.ms - c) / 1000).toFixed(2)} s, publish ${(pub.ms / 1000).toFixed(2)} s / ${(pub.cpuMs / 1000).toFixed(2)} CPU-s / ${pub.tokenized} tokenized (read ${pub.readMs}, build ${pub.buildMs}, write ${pub.writeMs} ms; ${pub.linked} linked, ${pub.written} written)`;
  });
  split.forEach((x, i) => console.log(`  edit ${i + 1}: ${x}`));
  console.log(`  job process after the edits: RSS ${rssMb()} MB (peak ${hwmMb()} MB), CPU ${((cpuMs(jobPid) - cpuBefore) / 1000).toFixed(2)} s for the ${RUNS} edits; load ${loadAverage()}`);
} finally {
  await updateSku(ctx, sku.id, { name: sku.name });
  await new Promise((r) => setTimeout(r, 3000)); // let the worker apply the restore
  worker?.kill();
  server.kill();
  await db.destroy();
}
