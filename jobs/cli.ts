import { ConfigError, loadConfig, type Config } from '../api/config.ts';
import { UsageError } from './commands/arguments.ts';

// The `meiduo` command: a dispatcher. Each command is a module of jobs/commands/, imported only when
// it runs, and each imports what it needs inside: `--help` loads nothing, `jobs` no Agenda,
// `sku update` no Koa (an admin's Enter key starts the clock; see bench/cli.mjs). bin/compile.mjs
// turns every such import into a chunk of its own. Keep the imports of this file and of
// commands/arguments.ts cheap.

const HELP = `美多商城 — meiduo <command> [options]

  start                      migrate, seed an empty database, build if needed, serve (what npm start runs)
  migrate                    apply database migrations
  seed [--skus N] [--reset]  load the demo catalog into an empty database (N: total SKUs, synthetic beyond the demo)
  build                      prebuild every page and the search index into dist/
  serve                      serve dist/ and the API on PORT (and run a job worker when JOBS_IN_PROCESS is on)
  worker                     run a job worker (production: as many as you like, beside the web processes)

  rebuild --all | --sku ID… | --spu ID… | --category ID… | --home | --search  [--no-wait] [--json]
                             re-render those pages (and what depends on them); waits until pages and search are live
  sku list [--keyword …] [--spu ID] [--page N] [--page-size N] [--json]
                             SKUs by name or id, with price, stock and whether launched
  sku create --spu ID --category ID --name … --price 2999.00 [--stock N] [--option SPEC_ID=OPTION_ID …] [--wait] [--json]
                             add a SKU: one option per spec of its SPU, a combination no other SKU has
  sku update ID [--price 2999.00] [--market-price …] [--stock 5] [--name …] [--caption …] [--launched true|false] [--category ID] [--option …] [--wait] [--json]
                             edit a SKU; the affected pages are re-rendered by a worker (--wait: until they are live)
  sku delete ID [--wait]     delete a SKU nobody ordered (take an ordered one off sale: --launched false)
  brand list [--keyword …] | brand create --name … --letter X [--aliases 'a,b'] | brand update ID … | brand delete ID
                             brands, their first letter and the other names search finds them by
  content list [--json]      homepage content slots and their items
  content update ID [--title …] [--url /path|https://…] [--text …] [--sequence N] [--status on|off] [--sku ID|none] [--wait] [--json]
  content create --slot ID --title … [--url …] [--text …] [--sequence N] [--status on|off] [--sku ID] | content delete ID
  orders ship ORDER_ID --company 顺丰速运 --tracking SF123…   ship an order 待发货 → 待收货
  orders cancel ORDER_ID --reason …                          cancel an order not yet shipped (a paid one is refunded)
  orders receive-due         receive orders shipped more than ORDER_AUTO_RECEIVE_DAYS ago (the orders.auto-receive job's work)
  refunds list [--state failed] [--page N] [--json]          refunds of cancelled paid orders; failed: a human's turn
  refunds retry PAYMENT_ID   a failed refund back to the refund job
  refunds settle PAYMENT_ID --note …                         a failed refund dealt with by hand
  jobs [--json]              queued, running and failed jobs, and pending page changes
  jobs retry ID              run a failed job again now
  admin create --username NAME --password PASSWORD [--superuser] [--mobile 13800138000]
                             make a staff account (the first admin: --superuser); audited as cli:admin create
  admin password --username NAME --password PASSWORD|-
                             a staff member's new password (-: read from stdin); ends their sessions; audited
  admin list [--json]        the staff, their groups and permissions
  audit [--resource users.staff] [--since YYYY-MM-DD] [--limit N] [--json]
                             the admin audit trail, newest first

Configuration comes from the environment (see .env.example): PORT, DATABASE_URL, REDIS_URL, JOBS_BACKEND, ...`;

interface Command {
  run(config: Config, argv: string[]): Promise<void>;
  /** Serves or works until a signal; every other command's process exits when run() resolves. */
  longRunning?: boolean;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  start: () => import('./commands/start.ts'),
  migrate: () => import('./commands/migrate.ts'),
  seed: () => import('./commands/seed.ts'),
  build: () => import('./commands/build.ts'),
  serve: () => import('./commands/serve.ts'),
  worker: () => import('./commands/worker.ts'),
  rebuild: () => import('./commands/rebuild.ts'),
  sku: () => import('./commands/sku.ts'),
  brand: () => import('./commands/brand.ts'),
  content: () => import('./commands/content.ts'),
  jobs: () => import('./commands/jobs.ts'),
  admin: () => import('./commands/admin.ts'),
  audit: () => import('./commands/audit.ts'),
  orders: () => import('./commands/orders.ts'),
  refunds: () => import('./commands/refunds.ts'),
};

/** Runs the command; resolves to whether the process should stay up afterwards. */
async function main(argv: string[]): Promise<boolean> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(HELP);
    return false;
  }
  const config = loadConfig();
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) throw new UsageError(`unknown command '${name}'\n\n${HELP}`);
  const command = await load();
  await command.run(config, rest);
  return command.longRunning === true;
}

/**
 * Exit once what was written to stdout and stderr has been handed over: process.exit() does not
 * wait for a pipe's pending writes, and a reader got `audit --json` cut off after 214 KiB.
 */
const flushed = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));
async function exit(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

main(process.argv.slice(2)).then(
  async (stayUp) => {
    // one-shot commands end here even if a library left a handle open
    if (!stayUp) await exit(0);
  },
  async (err) => {
    if (err instanceof ConfigError || err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`meiduo: ${err.message}`);
      await exit(2);
    }
    const { AppError } = await import('../api/errors.ts');
    if (err instanceof AppError && err.statusCode < 500) {
      const fields = err.fields ? ' — ' + Object.entries(err.fields).map(([k, v]) => `${k}: ${v}`).join('; ') : '';
      console.error(`meiduo: ${err.message}${fields}`);
      await exit(2);
    }
    console.error(err);
    await exit(1);
  },
);
