import type { Config } from '../../api/config.ts';
import { UsageError, args, number } from './arguments.ts';
import { progressBar, withDb } from './terminal.ts';

/** `meiduo seed [--skus N] [--reset]`: the demo catalog into an empty database. */
export async function run(config: Config, argv: string[]) {
  const { values } = args(argv, { skus: { type: 'string' }, reset: { type: 'boolean' } });
  await seed(config, { skus: await number('skuCountSchema', values.skus, '--skus'), reset: values.reset });
}

export async function seed(config: Config, opts: { skus?: number; reset?: boolean }) {
  const { migrateLatest, migrateRollbackAll } = await import('../../api/db/migrate.ts');
  const { isCatalogEmpty, seedCatalog } = await import('../../api/services/seed/seed.ts');
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
      `seeded ${r.categories} categories, ${r.channels} channels, ${r.brands} brands, ${r.spus} SPUs, ${r.skus} SKUs, ${r.contents} content items, ${r.comments} comments in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
}
