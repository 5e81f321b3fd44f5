import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../api/config.ts';
import type { CatalogChange } from '../api/services/catalog/dependencies.ts';

// The `meiduo` command. Every command imports only what it needs, when it runs: `--help` loads
// nothing, `jobs` no Agenda, `sku update` no Koa (an admin's Enter key starts the clock; see
// bench/cli.mjs). Keep imports below type-only or cheap, and load the rest inside the commands.

const HELP = `美多商城 — meiduo <command> [options]

  start                      migrate, seed an empty database, build if needed, serve (what npm start runs)
  migrate                    apply database migrations
  seed [--skus N] [--reset]  load the demo catalog into an empty database (N: total SKUs, synthetic beyond the demo)
  build                      prebuild every page and the search index into dist/
  serve                      serve dist/ and the API on PORT (and run a job worker when JOBS_IN_PROCESS is on)
  worker                     run a job worker (production: as many as you like, beside the web processes)

  rebuild --all | --sku ID… | --spu ID… | --category ID… | --home | --search  [--no-wait] [--json]
                             re-render those pages (and what depends on them); waits until pages and search are live
  sku update ID [--price 2999.00] [--market-price …] [--stock 5] [--name …] [--caption …] [--launched true|false] [--wait] [--json]
                             edit a SKU; the affected pages are re-rendered by a worker (--wait: until they are live)
  content list [--json]      homepage content slots and their items
  content update ID [--title …] [--url /path|https://…] [--text …] [--sequence N] [--status on|off] [--sku ID|none] [--wait] [--json]
  jobs [--json]              queued, running and failed jobs, and pending page changes
  jobs retry ID              run a failed job again now

Configuration comes from the environment (see .env.example): PORT, DATABASE_URL, REDIS_URL, JOBS_BACKEND, ...`;

class UsageError extends Error {}

function args<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, positionals = 0) {
  const r = parseArgs({ args: argv, options: { json: { type: 'boolean' }, ...options }, strict: true, allowPositionals: positionals > 0 });
  if (r.positionals.length > positionals) throw new UsageError(`unexpected argument '${r.positionals[positionals]}'`);
  return r;
}

type Numbers = typeof import('../api/validation.ts');
type NumberSchema = 'idSchema' | 'stockSchema' | 'sequenceSchema' | 'skuCountSchema';

/**
 * A numeric option through the API's own schema (api/validation.ts): decimal digits only, so
 * '--stock 0x10' or '--stock ""' is refused here exactly as '/api/skus/0x10' is.
 */
async function number(schema: NumberSchema, value: string | undefined, name: string): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const v: Numbers = await import('../api/validation.ts');
  const r = (v[schema] as z.ZodType<number>).safeParse(value);
  if (!r.success) throw new UsageError(`${name}: ${r.error.issues[0]?.message ?? 'invalid'} (got '${value}')`);
  return r.data;
}

async function ids(values: string[] | undefined, name: string): Promise<number[]> {
  const out: number[] = [];
  for (const v of (values ?? []).flatMap((s) => s.split(','))) out.push((await number('idSchema', v, name))!);
  return out;
}

function bool(value: string | undefined, name: string, yes = ['true', 'on', 'yes', '1'], no = ['false', 'off', 'no', '0']): boolean | undefined {
  if (value === undefined) return undefined;
  if (yes.includes(value)) return true;
  if (no.includes(value)) return false;
  throw new UsageError(`${name} must be ${yes[0]} or ${no[0]} (got '${value}')`);
}

async function withDb<T>(config: Config, fn: (db: Knex) => Promise<T>): Promise<T> {
  const { createDb } = await import('../api/db/knex.ts');
  const db = createDb(config.database);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** A command acts as the system, in a context of its own (its request id marks its log lines). */
async function cliContext(db: Knex, command: string) {
  const [{ systemContext }, { systemClock }] = await Promise.all([import('../api/context.ts'), import('../api/clock.ts')]);
  return systemContext(`cli:${command}`, { db, clock: systemClock });
}

const out = (json: boolean | undefined, data: unknown, text: string) => console.log(json ? JSON.stringify(data) : text);

async function progressBar(format: string) {
  if (!process.stdout.isTTY) return null;
  const { SingleBar, Presets } = await import('cli-progress');
  return new SingleBar({ format }, Presets.shades_classic);
}

async function migrate(config: Config, quiet = false) {
  const { migrateLatest } = await import('../api/db/migrate.ts');
  const done = await withDb(config, migrateLatest);
  if (!quiet) console.log(done.length ? `migrated: ${done.join(', ')}` : 'database is up to date');
}

async function seed(config: Config, opts: { skus?: number; reset?: boolean }) {
  const { migrateLatest, migrateRollbackAll } = await import('../api/db/migrate.ts');
  const { isCatalogEmpty, seedCatalog } = await import('../api/services/seed/seed.ts');
  await withDb(config, async (db) => {
    if (opts.reset) {
      await migrateRollbackAll(db);
      console.log('database wiped');
    }
    await migrateLatest(db);
    if (!(await isCatalogEmpty(db))) throw new UsageError('the catalog already has data; run `meiduo seed --reset` to replace it');
    const started = performance.now();
    const bar = await progressBar('seeding [{bar}] {percentage}% {value}/{total} rows');
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
  const { buildSite } = await import('./build.ts');
  const summary = await withDb(config, (db) => buildSite(config, db, { logLevel: 'warn' }));
  console.log(
    `built ${summary.pages} pages in ${summary.seconds.toFixed(1)} s (${summary.pagesPerSecond.toFixed(0)} pages/s, peak RSS ${summary.peakRssMb.toFixed(0)} MB; ` +
      `${summary.compressedFiles} files precompressed in ${summary.compressSeconds.toFixed(1)} s); ` +
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
  const { createServices } = await import('../api/services/index.ts');
  const { listen } = await import('../api/server.ts');
  const services = createServices(config);
  const running = await listen(services);
  let queue: import('./queue.ts').JobQueue | null = null;
  if (config.jobs.inProcessWorker) {
    const { createJobQueue } = await import('./queue.ts');
    queue = await createJobQueue(config, services.db, services.log, { services });
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
  const { createServices } = await import('../api/services/index.ts');
  const { createJobQueue } = await import('./queue.ts');
  const services = createServices(config);
  const queue = await createJobQueue(config, services.db, services.log, { services });
  await queue.startWorker();
  console.log(`worker running (jobs: ${config.jobs.backend}, polling every ${config.jobs.pollMs} ms)`);
  untilSignal(async () => {
    await queue.close();
    await services.close();
  });
}

async function start(config: Config) {
  const { isCatalogEmpty } = await import('../api/services/seed/seed.ts');
  const { buildInChildProcess, isBuildStale } = await import('./build.ts');
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
 * Waits until the changes up to `changeId` are applied: their pages written and, where they touch
 * search, the new index published. A worker that is alive (the shop's in-process one, or a
 * `meiduo worker`) does the work; only when none has run the repeating rebuild job lately does this
 * process work the queue itself — and then closes it, releasing every job lock it holds (jobs/queue.ts).
 */
async function waitApplied(config: Config, db: Knex, changeId: number, json: boolean | undefined): Promise<number> {
  const { waitUntilApplied } = await import('../api/services/catalog/outbox.ts');
  const { lastRunOf, openJobStore } = await import('./job-admin.ts');
  const started = performance.now();
  const store = await openJobStore(config, db);
  // a live worker runs pages.rebuild every JOBS_POLL_MS; give it a few rounds of slack
  const aliveWithin = Math.max(2000, config.jobs.pollMs * 8);
  const workerAlive = async () => {
    const last = await lastRunOf(store.repository, 'pages.rebuild');
    return last !== null && Date.now() - last.getTime() < aliveWithin;
  };
  let own: import('./queue.ts').JobQueue | null = null;
  let starting: Promise<void> | null = null;
  const workOurselves = () =>
    (starting ??= (async () => {
      if (await workerAlive()) return;
      const { createJobQueue } = await import('./queue.ts');
      const { createLogger } = await import('../api/logger.ts');
      const queue = await createJobQueue(config, db, createLogger(config.logLevel));
      await queue.startWorker();
      own = queue;
    })().finally(() => (starting = null)));
  const bar = json ? null : await progressBar('waiting for the rebuild [{bar}] {value}/{total} {stage}');
  let total = 0;
  let stage = '';
  let checkedAt = Date.now();
  try {
    await workOurselves();
    await waitUntilApplied(await cliContext(db, 'wait'), changeId, {
      onPending: (n, now) => {
        if (bar) {
          const label = now === 'pages' ? 'page changes applied' : 'search index published';
          if (now !== stage || n > total) {
            stage = now;
            bar.start((total = Math.max(n, 1)), 0, { stage: label });
          }
          bar.update(total - n, { stage: label });
        }
        // the worker seen at the start may have stopped since (killed: its locks expire, JOBS_LOCK_MS)
        if (!own && Date.now() - checkedAt > aliveWithin) {
          checkedAt = Date.now();
          void workOurselves().catch(() => {});
        }
      },
    });
  } finally {
    bar?.stop();
    // (casts: TypeScript does not see the assignments inside the closures above)
    await (starting as Promise<void> | null)?.catch(() => {});
    // closing releases every job lock this process still holds (jobs/queue.ts)
    await (own as import('./queue.ts').JobQueue | null)?.close();
    await store.close();
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
  const pages = {
    kind: 'pages' as const,
    skuIds: await ids(values.sku, '--sku'),
    spuIds: await ids(values.spu, '--spu'),
    categoryIds: await ids(values.category, '--category'),
    home: values.home ?? false,
  };
  if (pages.skuIds.length + pages.spuIds.length + pages.categoryIds.length > 0 || pages.home) changes.push(pages);
  if (values.search) changes.push({ kind: 'search' });
  if (changes.length === 0) throw new UsageError('say what to rebuild: --all, --sku ID, --spu ID, --category ID, --home or --search');
  const { migrateLatest } = await import('../api/db/migrate.ts');
  const { requestRebuild } = await import('../api/services/catalog/outbox.ts');
  await withDb(config, async (db) => {
    await migrateLatest(db);
    const changeId = await requestRebuild(await cliContext(db, 'rebuild'), changes);
    if (values['no-wait']) return out(values.json, { queued: true, changeId }, `queued (change ${changeId}); a worker will apply it`);
    const seconds = await waitApplied(config, db, changeId, values.json);
    out(values.json, { applied: true, changeId, seconds }, `rebuilt in ${seconds.toFixed(2)} s; pages and search index are live`);
  });
}

async function sku(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub !== 'update') throw new UsageError("usage: meiduo sku update ID [--price …] [--stock …] [--name …] [--caption …] [--launched true|false]");
  const { values, positionals } = args(rest, {
    price: { type: 'string' }, 'market-price': { type: 'string' }, 'cost-price': { type: 'string' }, stock: { type: 'string' },
    name: { type: 'string' }, caption: { type: 'string' }, launched: { type: 'string' }, wait: { type: 'boolean' },
  }, 1);
  if (positionals[0] === undefined) throw new UsageError('which SKU? meiduo sku update ID …');
  const id = (await number('idSchema', positionals[0], 'SKU id'))!;
  const patch = Object.fromEntries(Object.entries({
    price: values.price, marketPrice: values['market-price'], costPrice: values['cost-price'],
    stock: await number('stockSchema', values.stock, '--stock'), name: values.name, caption: values.caption, isLaunched: bool(values.launched, '--launched'),
  }).filter(([, v]) => v !== undefined));
  const { updateSku } = await import('../api/services/catalog/catalog-editor.ts');
  const { formatCents } = await import('../api/money.ts');
  await withDb(config, async (db) => {
    const r = await updateSku(await cliContext(db, 'sku update'), id, patch);
    const a = r.after;
    const summary = { id: a.id, name: a.name, price: formatCents(a.priceCents), stock: a.stock, is_launched: a.isLaunched, changeId: r.changeId };
    if (values.wait) await waitApplied(config, db, r.changeId, values.json);
    out(values.json, summary, `SKU ${a.id} updated: ${a.name} ¥${summary.price}, stock ${a.stock}, ${a.isLaunched ? 'launched' : 'not launched'}${values.wait ? '; pages and search index are live' : '; pages will be re-rendered by a worker'}`);
  });
}

async function content(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  const editor = () => import('../api/services/catalog/catalog-editor.ts');
  if (sub === 'list') {
    const { values } = args(rest, {});
    const { listContents } = await editor();
    const rows = await withDb(config, async (db) => listContents(await cliContext(db, 'content list')));
    if (values.json) return console.log(JSON.stringify(rows));
    for (const r of rows) console.log(`${String(r.id).padStart(4)}  ${r.key.padEnd(16)} ${r.status ? 'on ' : 'off'}  #${r.sequence}  ${r.title}${r.skuId ? `  (SKU ${r.skuId})` : ''}  ${r.url}`);
    return;
  }
  if (sub !== 'update') throw new UsageError('usage: meiduo content list | meiduo content update ID [--title …] [--url …] [--text …] [--sequence N] [--status on|off] [--sku ID|none]');
  const { values, positionals } = args(rest, {
    title: { type: 'string' }, url: { type: 'string' }, text: { type: 'string' }, sequence: { type: 'string' },
    status: { type: 'string' }, sku: { type: 'string' }, wait: { type: 'boolean' },
  }, 1);
  if (positionals[0] === undefined) throw new UsageError('which content item? meiduo content update ID …');
  const id = (await number('idSchema', positionals[0], 'content id'))!;
  const patch = Object.fromEntries(Object.entries({
    title: values.title, url: values.url, text: values.text, sequence: await number('sequenceSchema', values.sequence, '--sequence'),
    status: bool(values.status, '--status', ['on', 'true'], ['off', 'false']),
    skuId: values.sku === undefined ? undefined : values.sku === 'none' ? null : await number('idSchema', values.sku, '--sku'),
  }).filter(([, v]) => v !== undefined));
  const { updateContent } = await editor();
  await withDb(config, async (db) => {
    const r = await updateContent(await cliContext(db, 'content update'), id, patch);
    if (values.wait) await waitApplied(config, db, r.changeId, values.json);
    out(values.json, { ...r.content, changeId: r.changeId }, `content ${id} updated; the homepage ${values.wait ? 'is live' : 'will be re-rendered by a worker'}`);
  });
}

async function jobs(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  const admin = await import('./job-admin.ts');
  const { pendingCount } = await import('../api/services/catalog/outbox.ts');
  await withDb(config, async (db) => {
    const store = await admin.openJobStore(config, db);
    try {
      if (sub === 'retry') {
        const { positionals } = args(rest, {}, 1);
        if (!positionals[0]) throw new UsageError('which job? meiduo jobs retry ID');
        const job = await admin.retryJob(store.repository, positionals[0]).catch((err: unknown) => {
          throw err instanceof admin.UnknownJobError ? new UsageError(err.message) : err;
        });
        return console.log(`job ${job.id} (${job.name}) will run again now`);
      }
      const { values } = args(sub === undefined ? [] : argv, {});
      const rows = await admin.listJobs(store.repository);
      const pending = await pendingCount(await cliContext(db, 'jobs'));
      if (values.json) return console.log(JSON.stringify({ backend: config.jobs.backend, pendingPageChanges: pending, jobs: rows }));
      console.log(`job store: ${config.jobs.backend}; page changes waiting: ${pending}`);
      const iso = (d: Date | null) => (d ? d.toISOString() : '-');
      for (const j of rows) {
        console.log(`${j.id}  ${j.name.padEnd(16)} ${j.state.padEnd(10)} next ${iso(j.nextRunAt)}  last ${iso(j.lastFinishedAt)}${j.failCount ? `  failed ×${j.failCount}: ${j.failReason}` : ''}`);
      }
      if (rows.length === 0) console.log('no jobs');
    } finally {
      await store.close();
    }
  });
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
      return seed(config, { skus: await number('skuCountSchema', values.skus, '--skus'), reset: values.reset });
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
  async (err) => {
    if (err instanceof ConfigError || err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`meiduo: ${err.message}`);
      process.exit(2);
    }
    const { AppError } = await import('../api/errors.ts');
    if (err instanceof AppError && err.statusCode < 500) {
      const fields = err.fields ? ' — ' + Object.entries(err.fields).map(([k, v]) => `${k}: ${v}`).join('; ') : '';
      console.error(`meiduo: ${err.message}${fields}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
