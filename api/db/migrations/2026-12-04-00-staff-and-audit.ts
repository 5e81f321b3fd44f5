import type { Knex } from 'knex';
import { syncPermissionCatalog } from '../../services/admin/permission-catalog.ts';
import { caseSensitive, tableOptions } from '../dialect.ts';

// Staff and their permissions (docs/admin.md): users gain is_staff / is_superuser; permissions are
// the catalog of api/services/admin/permission-catalog.ts; groups hold permissions; staff are in
// groups and may hold permissions of their own. And the audit trail of every admin write.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('is_staff').notNullable().defaultTo(false);
    t.boolean('is_superuser').notNullable().defaultTo(false);
    // the last-superuser rule locks the active superusers: an index keeps that lock off the customers
    t.index(['is_superuser', 'is_active'], 'users_superuser');
  });
  await knex.schema.createTable('admin_permissions', (t) => {
    t.increments('id');
    caseSensitive(knex, t.string('codename', 100).notNullable());
    t.string('name', 100).notNullable();
    t.string('resource', 60).notNullable();
    t.string('action', 20).notNullable();
    t.unique(['codename'], { indexName: 'admin_permissions_codename_unique' });
    tableOptions(knex, t);
  });
  await knex.schema.createTable('admin_groups', (t) => {
    t.increments('id');
    t.string('name', 50).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['name'], { indexName: 'admin_groups_name_unique' });
    tableOptions(knex, t);
  });
  await knex.schema.createTable('admin_group_permissions', (t) => {
    t.integer('group_id').unsigned().notNullable().references('id').inTable('admin_groups').onDelete('CASCADE');
    t.integer('permission_id').unsigned().notNullable().references('id').inTable('admin_permissions').onDelete('CASCADE');
    t.primary(['group_id', 'permission_id']);
    t.index(['permission_id'], 'admin_group_permissions_permission');
    tableOptions(knex, t);
  });
  await knex.schema.createTable('admin_user_groups', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('group_id').unsigned().notNullable().references('id').inTable('admin_groups').onDelete('CASCADE');
    t.primary(['user_id', 'group_id']);
    t.index(['group_id'], 'admin_user_groups_group');
    tableOptions(knex, t);
  });
  await knex.schema.createTable('admin_user_permissions', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('permission_id').unsigned().notNullable().references('id').inTable('admin_permissions').onDelete('CASCADE');
    t.primary(['user_id', 'permission_id']);
    t.index(['permission_id'], 'admin_user_permissions_permission');
    tableOptions(knex, t);
  });
  await knex.schema.createTable('admin_audit', (t) => {
    t.bigIncrements('id');
    // who: a staff member (id + the username then), or the system ('cli:admin create'; id null).
    // No foreign key: the trail outlives what it is about.
    t.integer('actor_id').unsigned().nullable();
    t.string('actor_name', 60).notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('ip', 45).notNullable().defaultTo('');
    t.string('request_id', 100).notNullable();
    t.string('action', 40).notNullable();
    t.string('resource', 60).notNullable();
    t.string('resource_id', 64).nullable();
    t.text('changes').nullable(); // JSON {field: [old, new]}, secrets redacted (audit.ts)
    t.index(['created_at'], 'admin_audit_created');
    t.index(['resource', 'resource_id'], 'admin_audit_resource');
    t.index(['actor_name', 'created_at'], 'admin_audit_actor');
    tableOptions(knex, t);
  });
  await syncPermissionCatalog(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('admin_audit');
  await knex.schema.dropTableIfExists('admin_user_permissions');
  await knex.schema.dropTableIfExists('admin_user_groups');
  await knex.schema.dropTableIfExists('admin_group_permissions');
  await knex.schema.dropTableIfExists('admin_groups');
  await knex.schema.dropTableIfExists('admin_permissions');
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['is_superuser', 'is_active'], 'users_superuser');
    t.dropColumn('is_superuser');
    t.dropColumn('is_staff');
  });
}
