import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateLatest, migrateRollbackAll } from '../../api/db/migrate.ts';
import * as refundsMigration from '../../api/db/migrations/2026-11-26-06-refunds.ts';
import * as timelineMigration from '../../api/db/migrations/2026-11-28-01-order-timeline.ts';
import * as staffMigration from '../../api/db/migrations/2026-12-04-00-staff-and-audit.ts';
import { PERMISSION_CATALOG } from '../../api/services/admin/permission-catalog.ts';
import * as shippingMigration from '../../api/db/migrations/2026-12-04-01-shipping.ts';
import * as statisticsMigration from '../../api/db/migrations/2026-12-04-02-statistics.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

describe.each(DB_KINDS)('migrations on %s', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind, { migrate: false });
  });
  afterAll(() => t.drop());

  it('go up, down and up again', async () => {
    const all = ['2026-11-25-00-catalog', '2026-11-25-01-jobs', '2026-11-25-02-page-changes', '2026-11-26-00-search-scope', '2026-11-26-01-accounts', '2026-11-26-02-areas', '2026-11-26-03-addresses', '2026-11-26-04-orders', '2026-11-26-05-comment-counts', '2026-11-26-06-refunds', '2026-11-27-00-addresses-hard-delete', '2026-11-28-00-brand-aliases', '2026-11-28-01-order-timeline', '2026-12-04-00-staff-and-audit', '2026-12-04-01-shipping', '2026-12-04-02-statistics', '2026-12-04-03-catalog-admin', '2026-12-04-04-media', '2026-12-04-05-order-list-indexes', '2026-12-04-06-site-permissions', '2026-12-04-07-customer-permissions', '2026-12-04-08-sku-ordering-indexes', '2026-12-05-00-part-permissions'];
    expect(await migrateLatest(t.db)).toEqual(all);
    expect(await migrateLatest(t.db)).toEqual([]);
    expect(await t.db.schema.hasTable('skus')).toBe(true);
    expect(await t.db.schema.hasTable('agenda_jobs')).toBe(true);
    expect(await t.db.schema.hasTable('media_files')).toBe(true);
    expect(await migrateRollbackAll(t.db)).toEqual([...all].reverse());
    expect(await t.db.schema.hasTable('skus')).toBe(false);
    expect(await t.db.schema.hasTable('agenda_jobs')).toBe(false);
    await migrateLatest(t.db);
  });

  it('give customers of an existing database their last activity: their sessions\' last use', async () => {
    await statisticsMigration.down(t.db);
    await t.db('knex_migrations').where('name', '2026-12-04-02-statistics').del();
    const [a] = await t.db('users').insert({ username: 'active_a', password_hash: 'x', mobile: '13900000101', created_at: 1, updated_at: 1 });
    const [b] = await t.db('users').insert({ username: 'idle_b', password_hash: 'x', mobile: '13900000102', created_at: 1, updated_at: 1 });
    const token = (n: number, kind: string, last: number) => ({ kind, token_hash: `h${n}`.padEnd(64, '0'), user_id: a, expires_at: 9e12, last_used_at: last, created_at: 1 });
    await t.db('auth_tokens').insert([token(1, 'ses', 5000), token(2, 'ses', 7000), token(3, 'eml', 9000)]);
    expect(await migrateLatest(t.db)).toEqual(['2026-12-04-02-statistics']);
    expect(Number((await t.db('users').where('id', a).first('last_active_at')).last_active_at)).toBe(7000);
    expect((await t.db('users').where('id', b).first('last_active_at')).last_active_at).toBeNull();
    await t.db('auth_tokens').del();
    await t.db('users').whereIn('id', [a, b]).del();
  });

  it('give search requests of an existing database a scope: theirs were full index rebuilds', async () => {
    // the database as the previous release left it: no scope column, a request waiting
    await t.db.schema.alterTable('search_requests', (tb) => tb.dropColumn('scope'));
    await t.db('knex_migrations').where('name', '2026-11-26-00-search-scope').del();
    await t.db('search_requests').insert({ created_at: 1 });
    expect(await migrateLatest(t.db)).toEqual(['2026-11-26-00-search-scope']);
    expect(await t.db('search_requests').select('scope')).toEqual([{ scope: 'index' }]);
    await t.db('search_requests').insert({ scope: 'display', created_at: 2 });
    expect(await t.db('search_requests').orderBy('id').pluck('scope')).toEqual(['index', 'display']);
    await t.db('search_requests').del();
  });

  it('leave payments recorded for refund before automatic refunds to a human, never refunding them again', async () => {
    // the database as the release before left it: a payment recorded for refund, maybe refunded by hand since
    await refundsMigration.down(t.db);
    await t.db('knex_migrations').where('name', '2026-11-26-06-refunds').del();
    const [userId] = await t.db('users').insert({ username: 'refundee', password_hash: 'x', mobile: '13900000009', created_at: 1, updated_at: 1 });
    const order = { user_id: userId, receiver: '张三', province: '北京市', city: '北京市', district: '海淀区', place: '1号', mobile: '13900000009', total_count: 1, total_amount: '1.00', freight: '10.00', payment_amount: '11.00', pay_method: 2, status: 6, created_at: 1, updated_at: 1 };
    await t.db('orders').insert({ ...order, order_id: '202611260000000000000001' });
    await t.db('payments').insert([
      { order_id: '202611260000000000000001', trade_no: 'T-refund', amount: '11.00', source: 'notify', outcome: 'refund', created_at: 1 },
      { order_id: '202611260000000000000001', trade_no: 'T-settled', amount: '11.00', source: 'notify', outcome: 'settled', created_at: 1 },
    ]);
    expect(await migrateLatest(t.db)).toEqual(['2026-11-26-06-refunds']);
    expect(await t.db('payments').orderBy('trade_no').select('trade_no', 'refund_state', 'refund_error', 'refund_attempts')).toEqual([
      { trade_no: 'T-refund', refund_state: 'failed', refund_error: refundsMigration.BACKFILL_NOTE, refund_attempts: 0 },
      { trade_no: 'T-settled', refund_state: null, refund_error: null, refund_attempts: 0 },
    ]);
    await t.db('payments').del();
    await t.db('orders').del();
    await t.db('users').del();
  });

  it('delete the addresses the soft delete kept, and no other', async () => {
    // the database as the release before left it: a deleted address, still the (stale) default, beside a live one
    await t.db('knex_migrations').where('name', '2026-11-27-00-addresses-hard-delete').del();
    const [userId] = await t.db('users').insert({ username: 'mover', password_hash: 'x', mobile: '13900000008', created_at: 1, updated_at: 1 });
    const address = { user_id: userId, title: '家', receiver: '张三', province_id: 440000, city_id: 440300, district_id: 440305, place: '科技园1号', mobile: '13600000000', created_at: 1, updated_at: 1 };
    const [gone] = await t.db('addresses').insert({ ...address, is_deleted: true });
    const [live] = await t.db('addresses').insert({ ...address, is_deleted: false });
    await t.db('users').where({ id: userId }).update({ default_address_id: gone });
    expect(await migrateLatest(t.db)).toEqual(['2026-11-27-00-addresses-hard-delete']);
    expect((await t.db('addresses').where({ user_id: userId }).pluck('id')).map(Number)).toEqual([Number(live)]);
    expect((await t.db('users').where({ id: userId }).first('default_address_id')).default_address_id).toBeNull();
    await t.db('addresses').del();
    await t.db('users').del();
  });

  it('make no existing customer staff, and write the permission catalog', async () => {
    await t.db('knex_migrations').where('name', '2026-12-04-00-staff-and-audit').del();
    await staffMigration.down(t.db);
    const [id] = await t.db('users').insert({ username: 'before_staff', password_hash: 'x', mobile: '13900000008', created_at: 1, updated_at: 1 });
    expect(await migrateLatest(t.db)).toEqual(['2026-12-04-00-staff-and-audit']);
    expect(await t.db('users').where({ id }).first('is_staff', 'is_superuser')).toEqual({ is_staff: 0, is_superuser: 0 });
    expect(Number((await t.db('admin_permissions').count({ n: '*' }).first())?.n)).toBe(PERMISSION_CATALOG.length);
    await t.db('users').where({ id }).del();
  });

  it('give the holders of a spec’s, channel’s or content’s permission the same one on its options, groups or categories, and nobody else', async () => {
    await t.db('knex_migrations').where('name', '2026-12-05-00-part-permissions').del();
    const perm = async (codename: string) => Number((await t.db('admin_permissions').where({ codename }).first('id')).id);
    const [userId] = await t.db('users').insert({ username: 'part_perms', password_hash: 'x', mobile: '13900000018', is_staff: true, created_at: 1, updated_at: 1 });
    const [groupId] = await t.db('admin_groups').insert({ name: '规格编辑', created_at: 1, updated_at: 1 });
    const [otherId] = await t.db('admin_groups').insert({ name: '只看SKU', created_at: 1, updated_at: 1 });
    await t.db('admin_group_permissions').insert([
      { group_id: groupId, permission_id: await perm('goods.change_spec') },
      { group_id: groupId, permission_id: await perm('contents.view_content') },
      // held already: not given twice
      { group_id: groupId, permission_id: await perm('contents.view_content_category') },
      { group_id: otherId, permission_id: await perm('goods.view_sku') },
    ]);
    await t.db('admin_user_permissions').insert({ user_id: userId, permission_id: await perm('goods.delete_channel') });
    expect(await migrateLatest(t.db)).toEqual(['2026-12-05-00-part-permissions']);
    const held = async (table: string, holder: string, id: number) =>
      (await t.db(table).join('admin_permissions as p', 'p.id', `${table}.permission_id`).where(holder, id).orderBy('p.codename').pluck('p.codename'));
    expect(await held('admin_group_permissions', 'group_id', groupId)).toEqual(['contents.view_content', 'contents.view_content_category', 'goods.change_spec', 'goods.change_spec_option']);
    expect(await held('admin_group_permissions', 'group_id', otherId)).toEqual(['goods.view_sku']);
    expect(await held('admin_user_permissions', 'user_id', userId)).toEqual(['goods.delete_channel', 'goods.delete_channel_group']);
    await t.db('admin_groups').whereIn('id', [groupId, otherId]).del();
    await t.db('users').where({ id: userId }).del();
  });

  it('give every brand an editable alias list, empty by default', async () => {
    const [id] = await t.db('brands').insert({ name: '无别名', first_letter: 'W' });
    expect((await t.db('brands').where({ id }).first('aliases')).aliases).toBe('');
    await t.db('brands').where({ id }).del();
  });

  it('give orders paid and cancelled before the timeline their times', async () => {
    await t.db('knex_migrations').where('name', '2026-11-28-01-order-timeline').del();
    await timelineMigration.down(t.db);
    const [userId] = await t.db('users').insert({ username: 'timeline', password_hash: 'x', mobile: '13900000007', created_at: 1, updated_at: 1 });
    const order = { user_id: userId, receiver: '张三', province: '北京市', city: '北京市', district: '海淀区', place: '1号', mobile: '13900000007', total_count: 1, total_amount: '1.00', freight: '10.00', payment_amount: '11.00', pay_method: 2, created_at: 1 };
    await t.db('orders').insert([
      { ...order, order_id: '202611280000000000000001', status: 2, updated_at: 5 },
      { ...order, order_id: '202611280000000000000002', status: 6, updated_at: 9 },
      { ...order, order_id: '202611280000000000000003', status: 1, updated_at: 1 },
    ]);
    await t.db('payments').insert({ order_id: '202611280000000000000001', trade_no: 'T-paid', amount: '11.00', source: 'notify', outcome: 'settled', created_at: 4 });
    expect(await migrateLatest(t.db)).toEqual(['2026-11-28-01-order-timeline']);
    expect((await t.db('orders').orderBy('order_id').select('paid_at', 'canceled_at')).map((r) => [r.paid_at && Number(r.paid_at), r.canceled_at && Number(r.canceled_at)])).toEqual([
      [4, null],
      [null, 9],
      [null, null],
    ]);
    await t.db('payments').del();
    await t.db('orders').del();
    await t.db('users').del();
  });

  it('give orders shipped before the shipping columns their last write as shipped_at, and nothing else', async () => {
    await t.db('knex_migrations').where('name', '2026-12-04-01-shipping').del();
    await shippingMigration.down(t.db);
    expect(await t.db.schema.hasColumn('orders', 'tracking_no')).toBe(false);
    expect(await t.db.schema.hasColumn('payments', 'refund_note')).toBe(false);
    const [userId] = await t.db('users').insert({ username: 'shipping', password_hash: 'x', mobile: '13900000008', created_at: 1, updated_at: 1 });
    const order = { user_id: userId, receiver: '张三', province: '北京市', city: '北京市', district: '海淀区', place: '1号', mobile: '13900000008', total_count: 1, total_amount: '1.00', freight: '10.00', payment_amount: '11.00', pay_method: 1, created_at: 1 };
    await t.db('orders').insert([
      { ...order, order_id: '202612040000000000000001', status: 2, updated_at: 5 },
      { ...order, order_id: '202612040000000000000002', status: 3, updated_at: 7 },
      { ...order, order_id: '202612040000000000000003', status: 4, updated_at: 9 },
    ]);
    expect(await migrateLatest(t.db)).toEqual(['2026-12-04-01-shipping']);
    const rows = await t.db('orders').orderBy('order_id').select('shipped_at', 'received_at', 'express_company', 'tracking_no', 'cancel_reason', 'canceled_by');
    expect(rows.map((r) => [r.shipped_at && Number(r.shipped_at), r.received_at, r.express_company, r.tracking_no, r.cancel_reason, r.canceled_by])).toEqual([
      [null, null, null, null, null, null],
      [7, null, null, null, null, null],
      [null, null, null, null, null, null],
    ]);
    expect(await t.db.schema.hasColumn('payments', 'refund_note')).toBe(true);
    await t.db('orders').del();
    await t.db('users').del();
  });

  it('enforce the catalog’s integrity rules', async () => {
    const db = t.db;
    await db('goods_categories').insert([
      { id: 1, name: '手机', parent_id: null },
      { id: 2, name: '手机通讯', parent_id: 1 },
      { id: 3, name: '手机', parent_id: 2 },
    ]);
    await db('brands').insert({ id: 1, name: 'Apple' });
    await db('spus').insert({ id: 1, name: 'iPhone', brand_id: 1, category1_id: 1, category2_id: 2, category3_id: 3, desc_detail: '', desc_pack: '', desc_service: '' });
    await db('spu_specs').insert([{ id: 1, spu_id: 1, name: '颜色' }, { id: 2, spu_id: 1, name: '内存' }]);
    await db('spec_options').insert([{ id: 1, spec_id: 1, value: '金色' }, { id: 2, spec_id: 2, value: '64GB' }]);
    await db('skus').insert({ id: 1, spu_id: 1, category_id: 3, name: 'iPhone 金色 64GB', price: '6499.00' });
    await db('sku_options').insert({ sku_id: 1, spec_id: 1, option_id: 1 });

    // an option of another spec
    await expect(db('sku_options').insert({ sku_id: 1, spec_id: 2, option_id: 1 })).rejects.toThrow();
    // a second row for the same spec
    await db('spec_options').insert({ id: 3, spec_id: 1, value: '银色' });
    await expect(db('sku_options').insert({ sku_id: 1, spec_id: 1, option_id: 3 })).rejects.toThrow();
    // one channel per first-level category
    await db('channel_groups').insert({ id: 1, name: '手机' });
    await db('goods_channels').insert({ group_id: 1, category_id: 1, url: '/' });
    await expect(db('goods_channels').insert({ group_id: 1, category_id: 1, url: '/x' })).rejects.toThrow();
    // unique content slot keys
    await db('content_categories').insert({ name: '轮播图', key: 'index_lbt' });
    await expect(db('content_categories').insert({ name: '轮播图2', key: 'index_lbt' })).rejects.toThrow();

    // money comes back exact on both drivers
    const row = await db('skus').where('id', 1).first('price');
    expect(String(Number(row.price).toFixed(2))).toBe('6499.00');
    // Chinese text survives the round trip
    expect((await db('goods_categories').where('id', 2).first('name')).name).toBe('手机通讯');
  });
});
