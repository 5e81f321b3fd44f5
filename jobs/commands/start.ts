import type { Config } from '../../api/config.ts';
import { args } from './arguments.ts';
import { migrate } from './migrate.ts';
import { seed } from './seed.ts';
import { serve } from './serve.ts';
import { withDb } from './terminal.ts';

/** `meiduo start` (what `npm start` runs): migrate, seed an empty database, build if needed, serve. */
export async function run(config: Config, argv: string[]) {
  args(argv, {});
  const { isCatalogEmpty } = await import('../../api/services/seed/seed.ts');
  const { buildInChildProcess, isBuildStale } = await import('../build.ts');
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

export const longRunning = true;
