import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChanges } from '../../api/services/catalog/outbox.ts';
import { run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';
import { systemContext } from '../../api/context.ts';
import { systemClock } from '../../api/clock.ts';

// The catalog commands of `meiduo` (docs/admin-catalog.md): the admin API's operations in a
// terminal, through the same catalog editor — the same rules, the same outbox record.

const fail = (args: string[], env: Record<string, string>) => run(args, env).then(() => null, (e: Error) => e.message);

describe.each(DB_KINDS)('meiduo catalog commands on %s', (kind) => {
  let t: TestDb;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    env = { DATABASE_URL: t.url, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn' };
  }, 120_000);
  afterAll(() => t?.drop());

  it('sku list / create / update / delete, with the editor’s rules', async () => {
    const sku = await t.db('skus as s').join('sku_options as o', 'o.sku_id', 's.id').first('s.id', 's.spu_id', 's.category_id', 's.name');
    const listed = JSON.parse(await run(['sku', 'list', '--keyword', String(sku.id), '--json'], env));
    expect(listed.results.map((s: any) => s.id)).toContain(sku.id);
    expect(await run(['sku', 'list', '--spu', String(sku.spu_id)], env)).toContain(sku.name);

    // a SKU of a new SPU with two specs
    const spu = await t.db('spus').where('id', sku.spu_id).first();
    const [spuId] = await t.db('spus').insert({ name: 'CLI 测试', brand_id: spu.brand_id, category1_id: spu.category1_id, category2_id: spu.category2_id, category3_id: spu.category3_id, desc_detail: '', desc_pack: '', desc_service: '' });
    const [specId] = await t.db('spu_specs').insert({ spu_id: spuId, name: '颜色' });
    const [red] = await t.db('spec_options').insert({ spec_id: specId, value: '红' });
    // two specs: one option each is needed
    const [sizeSpec] = await t.db('spu_specs').insert({ spu_id: spuId, name: '尺寸' });
    const [big] = await t.db('spec_options').insert({ spec_id: sizeSpec, value: '大' });
    const base = ['sku', 'create', '--spu', String(spuId), '--category', String(sku.category_id), '--name', 'CLI 红 大', '--price', '99.90'];
    expect(await fail([...base, '--option', `${specId}=${red}`], env)).toMatch(/specs.*缺少规格：尺寸/);
    expect(await fail([...base, '--option', `${specId}=${red}`, '--option', `${sizeSpec}=${big}`, '--price', '1.234'], env)).toMatch(/price/);
    expect(await fail([...base, '--option', `${specId}-${red}`], env)).toMatch(/SPEC_ID=OPTION_ID/);
    expect(Number((await t.db('skus').where('spu_id', spuId).count({ n: '*' }).first())!.n)).toBe(0);
    const created = JSON.parse(await run([...base, '--option', `${specId}=${red}`, '--option', `${sizeSpec}=${big}`, '--json'], env));
    expect(created).toMatchObject({ name: 'CLI 红 大', price: '99.90', specs: [{ spec_id: specId, option_id: red }, { spec_id: sizeSpec, option_id: big }] });
    expect(created.pages).toContain(`/goods/${created.id}.html`);
    expect(await fail([...base, '--option', `${specId}=${red}`, '--option', `${sizeSpec}=${big}`], env)).toContain(`SKU ${created.id}`);

    const updated = JSON.parse(await run(['sku', 'update', String(created.id), '--price', '88.00', '--json'], env));
    expect(updated).toMatchObject({ id: created.id, price: '88.00' });
    const pending = await readChanges(systemContext('t', { db: t.db, clock: systemClock }), 1000);
    expect(pending!.changes).toContainEqual(expect.objectContaining({ kind: 'sku', after: expect.objectContaining({ id: created.id, priceCents: 8800 }) }));

    expect(await run(['sku', 'delete', String(created.id)], env)).toContain(`SKU ${created.id} deleted`);
    expect(await t.db('skus').where('id', created.id).first()).toBeUndefined();
  }, 120_000);

  it('brand list / create / update / delete; a used brand stays', async () => {
    const created = JSON.parse(await run(['brand', 'create', '--name', 'CLI 品牌', '--letter', 'C', '--aliases', 'Cli，命令行', '--json'], env));
    expect(created).toMatchObject({ name: 'CLI 品牌', first_letter: 'C', aliases: ['Cli', '命令行'] });
    expect(await fail(['brand', 'create', '--name', 'CLI 品牌', '--letter', 'C'], env)).toContain('品牌名已存在');
    expect(await fail(['brand', 'create', '--name', '另一个', '--letter', 'cc'], env)).toContain('first_letter');
    expect(await run(['brand', 'list', '--keyword', '命令行'], env)).toContain('CLI 品牌');
    expect(JSON.parse(await run(['brand', 'update', String(created.id), '--letter', 'M', '--json'], env)).first_letter).toBe('M');
    const used = await t.db('spus').first('brand_id');
    expect(await fail(['brand', 'delete', String(used.brand_id)], env)).toMatch(/\d+ 个 SPU/);
    expect(await run(['brand', 'delete', String(created.id)], env)).toContain('deleted');
    expect(await t.db('brands').where('id', created.id).first()).toBeUndefined();
  }, 120_000);

  it('content create / delete through the editor: a bad link refused, the homepage recorded', async () => {
    const slot = await t.db('content_categories').where('key', 'index_kx').first('id');
    expect(await fail(['content', 'create', '--slot', String(slot.id), '--title', 'x', '--url', 'javascript:alert(1)'], env)).toContain('url');
    const created = JSON.parse(await run(['content', 'create', '--slot', String(slot.id), '--title', 'CLI 快讯', '--url', '/list/115/default/1.html', '--json'], env));
    expect(created).toMatchObject({ title: 'CLI 快讯', category_id: slot.id, status: true, pages: ['/'] });
    expect(await run(['content', 'list'], env)).toContain('CLI 快讯');
    expect(await run(['content', 'delete', String(created.id)], env)).toContain(`content ${created.id} deleted`);
    expect(await t.db('contents').where('id', created.id).first()).toBeUndefined();
  }, 120_000);
});
