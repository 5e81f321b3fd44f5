import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { ConfigError, loadConfig, type Config } from '../api/config.ts';
import { createDb } from '../api/db/knex.ts';
import { migrateLatest, migrateRollbackAll } from '../api/db/migrate.ts';
import { AppError } from '../api/errors.ts';
import { createLogger } from '../api/logger.ts';
import { listen } from '../api/server.ts';
import { createServices } from '../api/services/index.ts';
import {
  listContents, requestRebuild, updateContent, updateSku, waitForChanges,
} from '../api/services/catalog/catalog-editor.ts';
import type { CatalogChange } from '../api/services/catalog/dependencies.ts';
import { formatCents } from '../api/money.ts';
import { isCatalogEmpty, seedCatalog } from '../api/services/seed/seed.ts';
import { buildInChildProcess, buildSite, isBuildStale } from './build.ts';
import { createJobQueue, type JobQueue } from './queue.ts';

const HELP = `美多商城 — meiduo <command> [options]

  start                      migrate, seed an empty database, build if needed, serve (what npm start runs)
  migrate                    apply database migrations
  seed [--skus N] [--reset]  load the demo catalog into an empty database (N: total SKUs, synthetic beyond the demo)
  build                      prebuild every page and the search index into dist/
  serve                      serve dist/ and the API on PORT (and run a job worker when JOBS_IN_PROCESS is on)
  worker                     run a job worker (production: as many as you like, beside the web processes)

  rebuild --all | --sku ID… | --spu ID… | --category ID… | --home | --search  [--no-wait] [--json]
                             re-render those pages (and what depends on them); waits until they are live
  sku update ID [--price 2999.00] [--market-price …] [--stock 5] [--name …] [--caption …] [--launched true|false] [--wait] [--json]
                             edit a SKU; the affected pages are re-rendered by a worker
  content list [--json]      homepage content slots and their items
  content update ID [--title …] [--url …] [--text …] [--sequence N] [--status on|off] [--sku ID|none] [--wait] [--json]
  jobs [--json]              queued, running and failed jobs, and pending page changes
  jobs retry ID              run a failed job again now

Configuration comes from the environment (see .env.example): PORT, DATABASE_URL, REDIS_URL, JOBS_BACKEND, ...`;

class UsageError extends Error {}

function args<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, positionals = 0) {
  const r = parseArgs({ args: argv, options: { json: { type: 'boolean' }, ...options }, strict: true, allowPositionals: positionals > 0 });
  if (r.positionals.length > positionals) throw new UsageError(`unexpected argument '${r.positionals[positionals]}'`);
  return r;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer (got '${value}')`);
  return n;
}

function ids(values: string[] | undefined, name: string): number[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => positiveInt(v, name)!);
}

function bool(value: string | undefined, name: string, yes = ['true', 'on', 'yes', '1'], no = ['false', 'off', 'no', '0']): boolean | undefined {
  if (value === undefined) return undefined;
  if (yes.includes(value)) return true;
  if (no.includes(value)) return false;
  throw new UsageError(`${name} must be ${yes[0]} or ${no[0]} (got '${value}')`);
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${name} must be an integer (got '${value}')`);
  return n;
}

async function withDb<T>(config: Config, fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const db = createDb(config.database);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

const out = (json: boolean | undefined, data: unknown, text: string) => console.log(json ? JSON.stringify(data) : text);

async function migrate(config: Config, quiet = false) {
  const done = await withDb(config, migrateLatest);
  if (!quiet) console.log(done.length ? `migrated: ${done.join(', ')}` : 'database is up to date');
}

async function seed(config: Config, opts: { skus?: number; reset?: boolean }) {
  await withDb(config, async (db) => {
    if (opts.reset) {
      await migrateRollbackAll(db);
      console.log('database wiped');
    }
    await migrateLatest(db);
    if (!(await isCatalogEmpty(db))) throw new UsageError('the catalog already has data; run `meiduo seed --reset` to replace it');
    const started = performance.now();
    const bar = process.stdout.isTTY ? new SingleBar({ format: 'seeding [{bar}] {percentage}% {value}/{total} rows' }, Presets.shades_classic) : null;
    const r = await seedCatalog(db, {
      mediaDir: config.mediaDir,
      skus: opts.skus,
      onProgress: (done, total) => {
        if (!bar) return;
        if (done <= 500) bar.start(total, 0);
        bar.update(done);
      },
    });
    bar?.stop();
    console.log(
      `seeded ${r.categories} categories, ${r.channels} channels, ${r.brands} brands, ${r.spus} SPUs, ${r.skus} SKUs, ${r.contents} content items in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
}

async function build(config: Config) {
  const summary = await withDb(config, (db) => buildSite(config, db, { logLevel: 'warn' }));
  console.log(
    `built ${summary.pages} pages in ${summary.seconds.toFixed(1)} s (${summary.pagesPerSecond.toFixed(0)} pages/s, peak RSS ${summary.peakRssMb.toFixed(0)} MB); ` +
      `search index: ${summary.searchDocs} SKUs, ${(summary.searchIndexBytes / 1024).toFixed(0)} KB, ${(summary.searchIndexGzipBytes / 1024).toFixed(0)} KB gzip`,
  );
}

/** Runs until SIGINT/SIGTERM, then closes everything it opened. */
function untilSignal(close: () => Promise<void>) {
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function serve(config: Config) {
  const services = createServices(config);
  const running = await listen(services);
  let queue: JobQueue | null = null;
  if (config.jobs.inProcessWorker) {
    queue = await createJobQueue(config, services.db, services.log);
    queue.onRebuilt((s) => {
      if (s.changes > 0) services.catalog.invalidate(); // this process's micro-cache sees edits at once
    });
    await queue.startWorker();
  }
  console.log(
    `美多商城 is open at http://localhost:${running.port}/  (database: ${config.database.client}, cache: ${services.cache.kind}, jobs: ${config.jobs.backend}${queue ? ', worker in this process' : ''})`,
  );
  untilSignal(async () => {
    await running.close();
    await queue?.close();
    await services.close();
  });
}

async function worker(config: Config) {
  const services = createServices(config);
  const queue = await createJobQueue(config, services.db, services.log);
  await queue.startWorker();
  console.log(`worker running (jobs: ${config.jobs.backend}, polling every ${config.jobs.pollMs} ms)`);
  untilSignal(async () => {
    await queue.close();
    await services.close();
  });
}

async function start(config: Config) {
  await migrate(config);
  const empty = await withDb(config, isCatalogEmpty);
  if (empty) await seed(config, {});
  const stale = await withDb(config, (db) => isBuildStale(config, db));
  if (stale) {
    console.log(`building pages (${stale})…`);
    await buildInChildProcess();
  } else {
    console.log('pages are up to date');
  }
  await serve(config);
}

/**
 * Waits until a worker has applied the changes. When none is running (no web process with its
 * in-process worker, no `meiduo worker`), this process works the queue itself meanwhile: the job
 * lock still lets only one of them apply a change.
 */
async function waitApplied(config: Config, db: ReturnType<typeof createDb>, changeId: number, json: boolean | undefined) {
  // only a logger: the caller's connection serves the queue
  const queue = await createJobQueue(config, db, createLogger(config.logLevel));
  const started = performance.now();
  const bar = !json && process.stdout.isTTY ? new SingleBar({ format: 'waiting for the rebuild [{bar}] {value}/{total} changes applied' }, Presets.shades_classic) : null;
  let total = 0;
  try {
    await queue.startWorker();
    await waitForChanges(db, changeId, {
      onPending: (n) => {
        if (!bar) return;
        if (n > total) bar.start((total = n), 0);
        bar.update(total - n);
      },
    });
  } finally {
    bar?.stop();
    await queue.close();
  }
  return (performance.now() - started) / 1000;
}

async function rebuild(config: Config, argv: string[]) {
  const { values } = args(argv, {
    all: { type: 'boolean' }, sku: { type: 'string', multiple: true }, spu: { type: 'string', multiple: true },
    category: { type: 'string', multiple: true }, home: { type: 'boolean' }, search: { type: 'boolean' },
    'no-wait': { type: 'boolean' },
  });
  const changes: CatalogChange[] = [];
  if (values.all) changes.push({ kind: 'full', reason: 'meiduo rebuild --all' });
  const pages = { kind: 'pages' as const, skuIds: ids(values.sku, '--sku'), spuIds: ids(values.spu, '--spu'), categoryIds: ids(values.category, '--category'), home: values.home ?? false };
  if (pages.skuIds.length + pages.spuIds.length + pages.categoryIds.length > 0 || pages.home) changes.push(pages);
  if (values.search) changes.push({ kind: 'search' });
  if (changes.length === 0) throw new UsageError('say what to rebuild: --all, --sku ID, --spu ID, --category ID, --home or --search');
  await withDb(config, async (db) => {
    await migrateLatest(db);
    const changeId = await requestRebuild(db, changes);
    if (values['no-wait']) return out(values.json, { queued: true, changeId }, `queued (change ${changeId}); a worker will apply it`);
    const seconds = await waitApplied(config, db, changeId, values.json);
    out(values.json, { applied: true, changeId, seconds }, `rebuilt in ${seconds.toFixed(2)} s`);
  });
}

async function sku(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub !== 'update') throw new UsageError("usage: meiduo sku update ID [--price …] [--stock …] [--name …] [--caption …] [--launched true|false]");
  const { values, positionals } = args(rest, {
    price: { type: 'string' }, 'market-price': { type: 'string' }, 'cost-price': { type: 'string' }, stock: { type: 'string' },
    name: { type: 'string' }, caption: { type: 'string' }, launched: { type: 'string' }, wait: { type: 'boolean' },
  }, 1);
  const id = positiveInt(positionals[0], 'SKU id');
  if (id === undefined) throw new UsageError('which SKU? meiduo sku update ID …');
  const patch = Object.fromEntries(Object.entries({
    price: values.price, marketPrice: values['market-price'], costPrice: values['cost-price'],
    stock: integer(values.stock, '--stock'), name: values.name, caption: values.caption, isLaunched: bool(values.launched, '--launched'),
  }).filter(([, v]) => v !== undefined));
  await withDb(config, async (db) => {
    const r = await updateSku(db, id, patch);
    const a = r.after;
    const summary = { id: a.id, name: a.name, price: formatCents(a.priceCents), stock: a.stock, is_launched: a.isLaunched, changeId: r.changeId };
    if (values.wait) await waitApplied(config, db, r.changeId, values.json);
    out(values.json, summary, `SKU ${a.id} updated: ${a.name} ¥${summary.price}, stock ${a.stock}, ${a.isLaunched ? 'launched' : 'not launched'}${values.wait ? '; pages are live' : '; pages will be re-rendered by a worker'}`);
  });
}

async function content(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const { values } = args(rest, {});
    const rows = await withDb(config, listContents);
    if (values.json) return console.log(JSON.stringify(rows));
    for (const r of rows) console.log(`${String(r.id).padStart(4)}  ${r.key.padEnd(16)} ${r.status ? 'on ' : 'off'}  #${r.sequence}  ${r.title}${r.skuId ? `  (SKU ${r.skuId})` : ''}  ${r.url}`);
    return;
  }
  if (sub !== 'update') throw new UsageError('usage: meiduo content list | meiduo content update ID [--title …] [--url …] [--text …] [--sequence N] [--status on|off] [--sku ID|none]');
  const { values, positionals } = args(rest, {
    title: { type: 'string' }, url: { type: 'string' }, text: { type: 'string' }, sequence: { type: 'string' },
    status: { type: 'string' }, sku: { type: 'string' }, wait: { type: 'boolean' },
  }, 1);
  const id = positiveInt(positionals[0], 'content id');
  if (id === undefined) throw new UsageError('which content item? meiduo content update ID …');
  const patch = Object.fromEntries(Object.entries({
    title: values.title, url: values.url, text: values.text, sequence: integer(values.sequence, '--sequence'),
    status: bool(values.status, '--status', ['on', 'true'], ['off', 'false']),
    skuId: values.sku === undefined ? undefined : values.sku === 'none' ? null : positiveInt(values.sku, '--sku'),
  }).filter(([, v]) => v !== undefined));
  await withDb(config, async (db) => {
    const r = await updateContent(db, id, patch);
    if (values.wait) await waitApplied(config, db, r.changeId, values.json);
    out(values.json, { ...r.content, changeId: r.changeId }, `content ${id} updated; the homepage ${values.wait ? 'is live' : 'will be re-rendered by a worker'}`);
  });
}

async function jobs(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  const services = createServices(config);
  const queue = await createJobQueue(config, services.db, services.log);
  try {
    if (sub === 'retry') {
      const { positionals } = args(rest, {}, 1);
      if (!positionals[0]) throw new UsageError('which job? meiduo jobs retry ID');
      const { jobs: found } = await queue.agenda.queryJobs({ id: positionals[0] });
      if (found.length === 0) throw new UsageError(`no job ${positionals[0]}`);
      const job = found[0]!;
      await queue.agenda.db.saveJobState({ ...job, nextRunAt: new Date(), failedAt: undefined, lockedAt: undefined }, undefined);
      return console.log(`job ${job._id} (${job.name}) will run again now`);
    }
    const { values } = args(sub === undefined ? [] : argv, {});
    const { jobs: all } = await queue.agenda.queryJobs({ sort: { nextRunAt: 'asc' } });
    const pending = Number((await services.db('page_changes').count({ n: '*' }).first())?.n ?? 0);
    const rows = all.map((j) => ({
      id: String(j._id), name: j.name, state: j.state, nextRunAt: j.nextRunAt ?? null, lastRunAt: j.lastRunAt ?? null,
      lastFinishedAt: j.lastFinishedAt ?? null, failCount: j.failCount ?? 0, failReason: j.failReason ?? null,
    }));
    if (values.json) return console.log(JSON.stringify({ backend: config.jobs.backend, pendingPageChanges: pending, jobs: rows }));
    console.log(`job store: ${config.jobs.backend}; page changes waiting: ${pending}`);
    for (const j of rows) {
      console.log(`${j.id}  ${j.name.padEnd(16)} ${j.state.padEnd(10)} next ${j.nextRunAt ? new Date(j.nextRunAt).toISOString() : '-'}  last ${j.lastFinishedAt ? new Date(j.lastFinishedAt).toISOString() : '-'}${j.failCount ? `  failed ×${j.failCount}: ${j.failReason}` : ''}`);
    }
    if (rows.length === 0) console.log('no jobs');
  } finally {
    await queue.close();
    await services.close();
  }
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return;
  }
  const config = loadConfig();
  switch (command) {
    case 'migrate':
      args(rest, {});
      return migrate(config);
    case 'seed': {
      const { values } = args(rest, { skus: { type: 'string' }, reset: { type: 'boolean' } });
      return seed(config, { skus: positiveInt(values.skus, '--skus'), reset: values.reset });
    }
    case 'build':
      args(rest, {});
      return build(config);
    case 'serve':
      args(rest, {});
      return serve(config);
    case 'worker':
      args(rest, {});
      return worker(config);
    case 'start':
      args(rest, {});
      return start(config);
    case 'rebuild':
      return rebuild(config, rest);
    case 'sku':
      return sku(config, rest);
    case 'content':
      return content(config, rest);
    case 'jobs':
      return jobs(config, rest);
    default:
      throw new UsageError(`unknown command '${command}'\n\n${HELP}`);
  }
}

const argv = process.argv.slice(2);
const longRunning = ['serve', 'start', 'worker'];
main(argv).then(
  () => {
    // one-shot commands end here even if a library left a handle open
    if (!longRunning.includes(argv[0] ?? '')) process.exit(0);
  },
  (err) => {
    if (err instanceof ConfigError || err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`meiduo: ${err.message}`);
      process.exit(2);
    }
    if (err instanceof AppError && err.statusCode < 500) {
      const fields = err.fields ? ' — ' + Object.entries(err.fields).map(([k, v]) => `${k}: ${v}`).join('; ') : '';
      console.error(`meiduo: ${err.message}${fields}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
