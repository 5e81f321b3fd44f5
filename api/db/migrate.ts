import type { Knex } from 'knex';
import * as catalog from './migrations/2026-11-25-00-catalog.ts';
import * as jobs from './migrations/2026-11-25-01-jobs.ts';
import * as pageChanges from './migrations/2026-11-25-02-page-changes.ts';
import * as searchScope from './migrations/2026-11-26-00-search-scope.ts';
import * as accounts from './migrations/2026-11-26-01-accounts.ts';
import * as areas from './migrations/2026-11-26-02-areas.ts';
import * as addresses from './migrations/2026-11-26-03-addresses.ts';
import * as orders from './migrations/2026-11-26-04-orders.ts';
import * as commentCounts from './migrations/2026-11-26-05-comment-counts.ts';
import * as refunds from './migrations/2026-11-26-06-refunds.ts';
import * as addressesHardDelete from './migrations/2026-11-27-00-addresses-hard-delete.ts';
import * as brandAliases from './migrations/2026-11-28-00-brand-aliases.ts';
import * as orderTimeline from './migrations/2026-11-28-01-order-timeline.ts';
import * as staffAndAudit from './migrations/2026-12-04-00-staff-and-audit.ts';
import * as shipping from './migrations/2026-12-04-01-shipping.ts';
import * as statistics from './migrations/2026-12-04-02-statistics.ts';
import * as catalogAdmin from './migrations/2026-12-04-03-catalog-admin.ts';
import * as media from './migrations/2026-12-04-04-media.ts';
import * as orderListIndexes from './migrations/2026-12-04-05-order-list-indexes.ts';
import * as sitePermissions from './migrations/2026-12-04-06-site-permissions.ts';
import * as customerPermissions from './migrations/2026-12-04-07-customer-permissions.ts';
import * as skuOrderingIndexes from './migrations/2026-12-04-08-sku-ordering-indexes.ts';
import * as partPermissions from './migrations/2026-12-05-00-part-permissions.ts';

// Migrations are listed here rather than discovered on disk, so the same list works under tsx, the
// Astro/Vite build and the tests alike. Append new ones; never edit one that has shipped.
const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '2026-11-25-00-catalog': catalog,
  '2026-11-25-01-jobs': jobs,
  '2026-11-25-02-page-changes': pageChanges,
  '2026-11-26-00-search-scope': searchScope,
  '2026-11-26-01-accounts': accounts,
  '2026-11-26-02-areas': areas,
  '2026-11-26-03-addresses': addresses,
  '2026-11-26-04-orders': orders,
  '2026-11-26-05-comment-counts': commentCounts,
  '2026-11-26-06-refunds': refunds,
  '2026-11-27-00-addresses-hard-delete': addressesHardDelete,
  '2026-11-28-00-brand-aliases': brandAliases,
  '2026-11-28-01-order-timeline': orderTimeline,
  '2026-12-04-00-staff-and-audit': staffAndAudit,
  '2026-12-04-01-shipping': shipping,
  '2026-12-04-02-statistics': statistics,
  '2026-12-04-03-catalog-admin': catalogAdmin,
  '2026-12-04-04-media': media,
  '2026-12-04-05-order-list-indexes': orderListIndexes,
  '2026-12-04-06-site-permissions': sitePermissions,
  '2026-12-04-07-customer-permissions': customerPermissions,
  '2026-12-04-08-sku-ordering-indexes': skuOrderingIndexes,
  '2026-12-05-00-part-permissions': partPermissions,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

const cfg = { migrationSource: source, tableName: 'knex_migrations' };

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, done] = (await db.migrate.latest(cfg)) as [number, string[]];
  return done;
}

export async function migrateRollbackAll(db: Knex): Promise<string[]> {
  const [, done] = (await db.migrate.rollback(cfg, true)) as [number, string[]];
  return done;
}
