import type { Config } from '../../api/config.ts';
import { args } from './arguments.ts';
import { withDb } from './terminal.ts';

/** `meiduo migrate`: applies the database migrations. */
export async function run(config: Config, argv: string[]) {
  args(argv, {});
  await migrate(config);
}

export async function migrate(config: Config, quiet = false) {
  const { migrateLatest } = await import('../../api/db/migrate.ts');
  const done = await withDb(config, migrateLatest);
  if (!quiet) console.log(done.length ? `migrated: ${done.join(', ')}` : 'database is up to date');
}
