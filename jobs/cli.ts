import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../api/config.ts';
import { createDb } from '../api/db/knex.ts';
import { migrateLatest, migrateRollbackAll } from '../api/db/migrate.ts';
import { listen } from '../api/server.ts';
import { createServices } from '../api/services/index.ts';
import { isCatalogEmpty, seedCatalog } from '../api/services/seed/seed.ts';
import { ROOT, buildSite, isBuildStale } from './build.ts';

const HELP = `美多商城 — meiduo <command>

  start                 migrate, seed an empty database, build if needed, serve (what npm start runs)
  migrate               apply database migrations
  seed [--skus N]       load the demo catalog into an empty database (N: total SKUs, synthetic beyond the demo)
       [--reset]        wipe the database first
  build                 prebuild every page and the search index into dist/
  serve                 serve dist/ and the API on PORT

Configuration comes from the environment (see .env.example): PORT, DATABASE_URL, REDIS_URL, ...`;

class UsageError extends Error {}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer (got '${value}')`);
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

async function migrate(config: Config) {
  const done = await withDb(config, migrateLatest);
  console.log(done.length ? `migrated: ${done.join(', ')}` : 'database is up to date');
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
    let last = 0;
    const r = await seedCatalog(db, {
      mediaDir: config.mediaDir,
      skus: opts.skus,
      onProgress: (done, total) => {
        const pct = Math.floor((done / total) * 100);
        if (process.stdout.isTTY && pct !== last) process.stdout.write(`\rseeding… ${pct}%`);
        last = pct;
      },
    });
    if (process.stdout.isTTY) process.stdout.write('\r');
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

/** Builds in a child process so the server does not keep Astro's and Vite's memory. */
function buildInChild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}/bin/meiduo.mjs`, 'build'], { stdio: 'inherit', env: process.env });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed (exit ${code})`))));
    child.on('error', reject);
  });
}

async function serve(config: Config) {
  const services = createServices(config);
  const running = await listen(services);
  console.log(`美多商城 is open at http://localhost:${running.port}/  (database: ${config.database.client}, cache: ${services.cache.kind})`);
  const stop = async () => {
    await running.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function start(config: Config) {
  await migrate(config);
  const empty = await withDb(config, isCatalogEmpty);
  if (empty) await seed(config, {});
  const stale = await withDb(config, (db) => isBuildStale(config, db));
  if (stale) {
    console.log(`building pages (${stale})…`);
    await buildInChild();
  } else {
    console.log('pages are up to date');
  }
  await serve(config);
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return;
  }
  const { values } = parseArgs({
    args: rest,
    options: { skus: { type: 'string' }, reset: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const config = loadConfig();
  switch (command) {
    case 'migrate':
      return migrate(config);
    case 'seed':
      return seed(config, { skus: positiveInt(values.skus, '--skus'), reset: values.reset });
    case 'build':
      return build(config);
    case 'serve':
      return serve(config);
    case 'start':
      return start(config);
    default:
      throw new UsageError(`unknown command '${command}'\n\n${HELP}`);
  }
}

const argv = process.argv.slice(2);
main(argv).then(() => {
  // serve and start keep running; one-shot commands end here even if a library left a handle open
  if (argv[0] !== 'serve' && argv[0] !== 'start') process.exit(0);
}, (err) => {
  if (err instanceof ConfigError || err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`meiduo: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
