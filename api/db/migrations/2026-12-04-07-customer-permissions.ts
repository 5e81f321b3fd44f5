import type { Knex } from 'knex';
import { syncPermissionCatalog } from '../../services/admin/permission-catalog.ts';

// The console's 用户 pages (docs/admin-console.md) need two permissions: users.view_user (find a
// customer, see their account) and users.change_user (deactivate or reactivate one). The catalog in
// code gained them; this writes the rows (docs/admin.md: a catalog change ships with a migration
// that syncs again).
export async function up(knex: Knex): Promise<void> {
  await syncPermissionCatalog(knex);
}

export async function down(knex: Knex): Promise<void> {
  // their grants go with them (ON DELETE CASCADE)
  await knex('admin_permissions').whereIn('codename', ['users.view_user', 'users.change_user']).del();
}
