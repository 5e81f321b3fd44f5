import type { Config } from '../../api/config.ts';
import type { CatalogChange } from '../../api/services/catalog/dependencies.ts';
import { UsageError, args, ids } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';
import { waitApplied } from './wait-applied.ts';

/** `meiduo rebuild --all | --sku ID… | --spu ID… | --category ID… | --home | --search [--no-wait] [--json]` */
export async function run(config: Config, argv: string[]) {
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
  const { migrateLatest } = await import('../../api/db/migrate.ts');
  const { requestRebuild } = await import('../../api/services/catalog/outbox.ts');
  await withDb(config, async (db) => {
    await migrateLatest(db);
    const changeId = await requestRebuild(await cliContext(db, 'rebuild'), changes);
    if (values['no-wait']) return out(values.json, { queued: true, changeId }, `queued (change ${changeId}); a worker will apply it`);
    const seconds = await waitApplied(config, db, changeId, values.json);
    out(values.json, { applied: true, changeId, seconds }, `rebuilt in ${seconds.toFixed(2)} s; pages and search index are live`);
  });
}
