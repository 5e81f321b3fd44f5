import type { Knex } from 'knex';
import { syncPermissionCatalog } from '../../services/admin/permission-catalog.ts';

// The console's 站点 page (docs/admin-console.md) needs two permissions: site.view_site (the pages'
// outbox, the release, the job queue) and site.change_site (a full rebuild, retrying a job). The
// catalog in code gained them; this writes the rows (docs/admin.md: a catalog change ships with a
// migration that syncs again).
export async function up(knex: Knex): Promise<void> {
  await syncPermissionCatalog(knex);
}

export async function down(knex: Knex): Promise<void> {
  // their grants go with them (ON DELETE CASCADE)
  await knex('admin_permissions').whereIn('codename', ['site.view_site', 'site.change_site']).del();
}
