import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../api/clock.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import { ADDRESS_LIMIT, AddressService, type Address } from '../../api/services/addresses/address-service.ts';
import type { AddressBody } from '../../api/services/addresses/address-schema.ts';
import { AreaService } from '../../api/services/areas/area-service.ts';
import { loginAs } from '../helpers/accounts.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// Shipping addresses over the real areas table: first the service (ownership — 404 for anything not
// the caller's own live address —, the default address, optional fields, the area hierarchy, the
// 20-address limit also under 30 concurrent creates), then the routes over HTTP.

// 广东省 深圳市 南山区, 北京市 市辖区 东城区 (GB/T 2260)
const SHENZHEN = { province_id: 440000, city_id: 440300, district_id: 440305 };
const BEIJING = { province_id: 110000, city_id: 110100, district_id: 110101 };

const body = (over: Partial<AddressBody> = {}): AddressBody => ({
  receiver: '张三',
  ...SHENZHEN,
  place: '科技园南区 1 栋',
  mobile: '13800138000',
  ...over,
});

describe.each(DB_KINDS)('addresses on %s', (kind) => {
  let t: TestDb;
  let service: AddressService;
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
  let ctx: RequestContext;
  let users = 0;

  const newUser = async (): Promise<number> => {
    users += 1;
    const [id] = await t.db('users').insert({
      username: `addr_user_${users}`,
      password_hash: 'x',
      mobile: `1390000${String(users).padStart(4, '0')}`,
      created_at: clock.now().getTime(),
      updated_at: clock.now().getTime(),
    });
    return Number(id);
  };
  const defaultOf = async (userId: number) => (await t.db('users').where({ id: userId }).first('default_address_id')).default_address_id;
  const liveCount = async (userId: number) =>
    Number((await t.db('addresses').where({ user_id: userId, is_deleted: false }).count({ n: '*' }))[0]!.n);

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    ctx = systemContext('addresses-test', { db: t.db, clock });
    service = new AddressService(new AreaService());
  });
  afterAll(() => t?.drop());

  it('creates an address with the area names; the first one becomes the default', async () => {
    const userId = await newUser();
    expect(await service.list(ctx, userId)).toEqual({ user_id: userId, default_address_id: null, limit: ADDRESS_LIMIT, addresses: [] });

    const a = await service.create(ctx, userId, body({ receiver: '  张三 ', place: ' 科技园南区 1 栋 ' }));
    expect(a).toEqual({
      id: expect.any(Number),
      title: '张三', // the receiver, when no title is given
      receiver: '张三',
      province_id: 440000,
      province: '广东省',
      city_id: 440300,
      city: '深圳市',
      district_id: 440305,
      district: '南山区',
      place: '科技园南区 1 栋',
      mobile: '13800138000',
      tel: null,
      email: null,
    });
    expect(await defaultOf(userId)).toBe(a.id);
    expect(await service.get(ctx, userId, a.id)).toEqual(a);

    const b = await service.create(ctx, userId, body({ title: '公司', ...BEIJING, receiver: '李四' }));
    expect(b).toMatchObject({ title: '公司', receiver: '李四', province: '北京市', city: '市辖区', district: '东城区' });
    // the second one does not take the default over
    const list = await service.list(ctx, userId);
    expect(list.default_address_id).toBe(a.id);
    expect(list.addresses.map((x) => x.id)).toEqual([b.id, a.id]); // newest first
    const row = await t.db('addresses').where({ id: a.id }).first();
    expect(Number(row.created_at)).toBe(clock.now().getTime());
  });

  it('treats an absent, null, empty or blank tel and email as none, stored as NULL', async () => {
    const userId = await newUser();
    const cases: Partial<AddressBody>[] = [{}, { tel: null, email: null }, { tel: '', email: '' }, { tel: '   ', email: ' ' }];
    for (const c of cases) {
      const a = await service.create(ctx, userId, body(c));
      expect(a).toMatchObject({ tel: null, email: null });
      expect(await t.db('addresses').where({ id: a.id }).first('tel', 'email')).toEqual({ tel: null, email: null });
    }
    const full = await service.create(ctx, userId, body({ tel: ' 0755-12345678 ', email: 'zhang@example.com' }));
    expect(full).toMatchObject({ tel: '0755-12345678', email: 'zhang@example.com' });
    // and back to none on update
    expect(await service.update(ctx, userId, full.id, body({ tel: '', email: null }))).toMatchObject({ tel: null, email: null });
  });

  it('refuses bad fields with 400 naming each one', async () => {
    const userId = await newUser();
    const bad: [Partial<AddressBody> | Record<string, unknown>, string][] = [
      [{ mobile: '12345678901' }, 'mobile'],
      [{ mobile: '1380013800' }, 'mobile'],
      [{ tel: '12-34' }, 'tel'],
      [{ tel: '0755-123456789' }, 'tel'],
      [{ email: 'not-an-email' }, 'email'],
      [{ receiver: '' }, 'receiver'],
      [{ receiver: '   ' }, 'receiver'],
      [{ receiver: '张'.repeat(21) }, 'receiver'],
      [{ title: 'x'.repeat(21) }, 'title'],
      [{ place: '' }, 'place'],
      [{ place: '路'.repeat(51) }, 'place'],
      [{ province_id: '440000' }, 'province_id'],
      [{ city_id: 1.5 }, 'city_id'],
    ];
    for (const [over, field] of bad) {
      const err = await service.create(ctx, userId, body(over as Partial<AddressBody>)).catch((e: unknown) => e);
      expect(err, JSON.stringify(over)).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
      expect(Object.keys((err as { fields: object }).fields), JSON.stringify(over)).toEqual([field]);
    }
    expect(await liveCount(userId)).toBe(0);
  });

  it('refuses a city outside the province and a district outside the city, naming the field', async () => {
    const userId = await newUser();
    await expect(service.create(ctx, userId, body({ city_id: BEIJING.city_id }))).rejects.toMatchObject({
      statusCode: 400,
      fields: { city_id: expect.any(String) },
    });
    await expect(service.create(ctx, userId, body({ district_id: BEIJING.district_id }))).rejects.toMatchObject({
      statusCode: 400,
      fields: { district_id: expect.any(String) },
    });
    // a city given as the province, an unknown district
    await expect(service.create(ctx, userId, body({ province_id: 440300 }))).rejects.toMatchObject({ statusCode: 400, fields: { province_id: expect.any(String) } });
    await expect(service.create(ctx, userId, body({ district_id: 440399 }))).rejects.toMatchObject({ statusCode: 400, fields: { district_id: expect.any(String) } });
    const a = await service.create(ctx, userId, body());
    await expect(service.update(ctx, userId, a.id, body({ ...BEIJING, district_id: 440305 }))).rejects.toMatchObject({
      statusCode: 400,
      fields: { district_id: expect.any(String) },
    });
    expect(await service.get(ctx, userId, a.id)).toEqual(a);
  });

  it('updates an address; an absent title keeps the current one', async () => {
    const userId = await newUser();
    const a = await service.create(ctx, userId, body({ title: '家' }));
    clock.advance(1000);
    const u = await service.update(ctx, userId, a.id, body({ ...BEIJING, receiver: '王五', place: '东直门 1 号', mobile: '15912345678', tel: '010-12345678' }));
    expect(u).toEqual({
      ...a,
      title: '家',
      receiver: '王五',
      ...BEIJING,
      province: '北京市',
      city: '市辖区',
      district: '东城区',
      place: '东直门 1 号',
      mobile: '15912345678',
      tel: '010-12345678',
    });
    expect(await service.update(ctx, userId, a.id, body({ title: '公司' }))).toMatchObject({ title: '公司', receiver: '张三' });
    expect(Number((await t.db('addresses').where({ id: a.id }).first('updated_at')).updated_at)).toBe(clock.now().getTime());
  });

  it('renames an address and changes the default', async () => {
    const userId = await newUser();
    const a = await service.create(ctx, userId, body());
    const b = await service.create(ctx, userId, body());
    expect(await service.setTitle(ctx, userId, b.id, { title: ' 公司 ' })).toEqual({ id: b.id, title: '公司' });
    expect((await service.get(ctx, userId, b.id)).title).toBe('公司');
    await expect(service.setTitle(ctx, userId, b.id, { title: '' })).rejects.toMatchObject({ statusCode: 400, fields: { title: expect.any(String) } });

    expect(await defaultOf(userId)).toBe(a.id);
    expect(await service.setDefault(ctx, userId, b.id)).toMatchObject({ default_address_id: b.id });
    expect((await service.list(ctx, userId)).default_address_id).toBe(b.id);
  });

  it('deletes the row; deleting the default hands it to the newest remaining address, then to none', async () => {
    const userId = await newUser();
    const a = await service.create(ctx, userId, body());
    const b = await service.create(ctx, userId, body());
    const c = await service.create(ctx, userId, body());
    await service.setDefault(ctx, userId, b.id);

    await service.remove(ctx, userId, a.id); // not the default: it stays
    expect(await defaultOf(userId)).toBe(b.id);
    await service.remove(ctx, userId, b.id);
    expect(await defaultOf(userId)).toBe(c.id);
    expect((await service.list(ctx, userId)).addresses.map((x) => x.id)).toEqual([c.id]);
    // gone, not kept for ever: orders keep their own copy of the address (tests/integration/orders)
    expect(await t.db('addresses').whereIn('id', [a.id, b.id]).count({ n: '*' }).first()).toEqual({ n: 0 });

    for (const op of [
      () => service.get(ctx, userId, b.id),
      () => service.update(ctx, userId, b.id, body()),
      () => service.remove(ctx, userId, b.id),
      () => service.setDefault(ctx, userId, b.id),
      () => service.setTitle(ctx, userId, b.id, { title: '旧' }),
    ]) {
      await expect(op()).rejects.toMatchObject({ statusCode: 404, code: 'ADDRESS_NOT_FOUND' });
    }

    await service.remove(ctx, userId, c.id);
    expect(await defaultOf(userId)).toBeNull();
    expect(await service.list(ctx, userId)).toMatchObject({ default_address_id: null, addresses: [] });
    // a new first address becomes the default again
    const d = await service.create(ctx, userId, body());
    expect(await defaultOf(userId)).toBe(d.id);
  });

  it('answers 404 for another user’s address, and for a missing one, and changes nothing', async () => {
    const owner = await newUser();
    const other = await newUser();
    const a = await service.create(ctx, owner, body({ title: '家' }));
    const mine = await service.create(ctx, other, body());
    for (const id of [a.id, 2_000_000_000]) {
      for (const op of [
        () => service.get(ctx, other, id),
        () => service.update(ctx, other, id, body({ receiver: '坏人' })),
        () => service.remove(ctx, other, id),
        () => service.setDefault(ctx, other, id),
        () => service.setTitle(ctx, other, id, { title: '坏人' }),
      ]) {
        await expect(op()).rejects.toMatchObject({ statusCode: 404, code: 'ADDRESS_NOT_FOUND' });
      }
    }
    expect(await service.get(ctx, owner, a.id)).toEqual(a);
    expect(await defaultOf(owner)).toBe(a.id);
    expect(await defaultOf(other)).toBe(mine.id);
    expect((await service.list(ctx, other)).addresses.map((x) => x.id)).toEqual([mine.id]);
  });

  it('keeps at most 20 live addresses; deleted ones do not count', async () => {
    const userId = await newUser();
    const made: Address[] = [];
    for (let i = 0; i < ADDRESS_LIMIT; i++) made.push(await service.create(ctx, userId, body({ title: `地址${i}` })));
    await expect(service.create(ctx, userId, body())).rejects.toMatchObject({ statusCode: 400, code: 'ADDRESS_LIMIT' });
    await service.remove(ctx, userId, made[5]!.id);
    const again = await service.create(ctx, userId, body());
    await expect(service.create(ctx, userId, body())).rejects.toMatchObject({ statusCode: 400, code: 'ADDRESS_LIMIT' });
    const list = await service.list(ctx, userId);
    expect(list.addresses).toHaveLength(ADDRESS_LIMIT);
    expect(list.addresses[0]!.id).toBe(again.id);
    expect(list.addresses.map((x) => x.id)).not.toContain(made[5]!.id);
  });

  it('keeps the limit under 30 concurrent creates', async () => {
    const userId = await newUser();
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => service.create(ctx, userId, body({ title: `并发${i}` }))));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(ADDRESS_LIMIT);
    expect(refused).toHaveLength(30 - ADDRESS_LIMIT);
    for (const r of refused) expect(r.reason).toMatchObject({ statusCode: 400, code: 'ADDRESS_LIMIT' });
    expect(await liveCount(userId)).toBe(ADDRESS_LIMIT);
    // exactly one of them became the default
    const list = await service.list(ctx, userId);
    expect(list.addresses.map((x) => x.id)).toContain(list.default_address_id);
  });
});

describe.each(DB_KINDS)('addresses API on %s', (kind) => {
  let t: TestDb;
  let app: TestApp;

  const send = (method: string, path: string, headers: Record<string, string>, payload?: unknown) =>
    app.json(path, {
      method,
      headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });

  beforeAll(async () => {
    t = await createTestDb(kind);
    app = await startTestApp(t);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('answers 401 without a session', async () => {
    for (const [method, path] of [
      ['GET', '/api/addresses'],
      ['POST', '/api/addresses'],
      ['GET', '/api/addresses/1'],
      ['PUT', '/api/addresses/1'],
      ['DELETE', '/api/addresses/1'],
      ['PUT', '/api/addresses/1/status'],
      ['PUT', '/api/addresses/1/title'],
    ] as const) {
      const res = await send(method, path, {}, method === 'GET' || method === 'DELETE' ? undefined : body());
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  // first to touch the areas: AreaService loads them on this request, beside the others' transactions
  it('keeps the limit under 30 concurrent requests, with the area cache still cold', async () => {
    const { headers } = await loginAs(app);
    const answers = await Promise.all(Array.from({ length: 30 }, () => send('POST', '/api/addresses', headers, body())));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(ADDRESS_LIMIT);
    expect(answers.filter((r) => r.status === 400 && r.body.error.code === 'ADDRESS_LIMIT')).toHaveLength(30 - ADDRESS_LIMIT);
    expect((await send('GET', '/api/addresses', headers)).body.addresses).toHaveLength(ADDRESS_LIMIT);
  });

  it('creates (201), lists, reads, edits, renames, makes default and deletes (204)', async () => {
    const { userId, headers } = await loginAs(app);
    const created = await send('POST', '/api/addresses', headers, body({ tel: '', email: null }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ receiver: '张三', title: '张三', province: '广东省', city: '深圳市', district: '南山区', tel: null, email: null });
    const a = created.body as Address;
    const b = (await send('POST', '/api/addresses', headers, body({ title: '公司', ...BEIJING }))).body as Address;

    const list = await send('GET', '/api/addresses', headers);
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.body).toEqual({ user_id: userId, default_address_id: a.id, limit: 20, addresses: [b, a] });
    expect((await send('GET', `/api/addresses/${a.id}`, headers)).body).toEqual(a);

    const edited = await send('PUT', `/api/addresses/${a.id}`, headers, { ...a, receiver: '王五', email: 'w@example.com' });
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({ ...a, receiver: '王五', email: 'w@example.com' });

    expect(await send('PUT', `/api/addresses/${b.id}/title`, headers, { title: '公司二' })).toMatchObject({ status: 200, body: { id: b.id, title: '公司二' } });
    expect(await send('PUT', `/api/addresses/${b.id}/status`, headers)).toMatchObject({ status: 200, body: { default_address_id: b.id } });

    const gone = await app.get(`/api/addresses/${b.id}`, { method: 'DELETE', headers });
    expect(gone.status).toBe(204);
    expect(await gone.text()).toBe('');
    expect((await send('GET', `/api/addresses/${b.id}`, headers)).status).toBe(404);
    expect((await send('GET', '/api/addresses', headers)).body).toMatchObject({ default_address_id: a.id, addresses: [{ id: a.id }] });
  });

  it('answers 404 for another user’s address, on every route', async () => {
    const owner = await loginAs(app);
    const other = await loginAs(app);
    const a = (await send('POST', '/api/addresses', owner.headers, body())).body as Address;
    for (const [method, path, payload] of [
      ['GET', `/api/addresses/${a.id}`, undefined],
      ['PUT', `/api/addresses/${a.id}`, body({ receiver: '坏人' })],
      ['DELETE', `/api/addresses/${a.id}`, undefined],
      ['PUT', `/api/addresses/${a.id}/status`, undefined],
      ['PUT', `/api/addresses/${a.id}/title`, { title: '坏人' }],
    ] as const) {
      const res = await send(method, path, other.headers, payload);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('ADDRESS_NOT_FOUND');
    }
    expect((await send('GET', `/api/addresses/${a.id}`, owner.headers)).body).toEqual(a);
    expect((await send('GET', '/api/addresses', other.headers)).body).toMatchObject({ default_address_id: null, addresses: [] });
  });

  it('answers 400 with the fields at fault', async () => {
    const { headers } = await loginAs(app);
    const bad = await send('POST', '/api/addresses', headers, { receiver: '', province_id: '440000', mobile: '123', email: 'x@' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['city_id', 'district_id', 'email', 'mobile', 'place', 'province_id', 'receiver']);

    const wrongCity = await send('POST', '/api/addresses', headers, body({ city_id: BEIJING.city_id }));
    expect(wrongCity).toMatchObject({ status: 400, body: { error: { fields: { city_id: expect.any(String) } } } });
    const wrongDistrict = await send('POST', '/api/addresses', headers, body({ district_id: BEIJING.district_id }));
    expect(wrongDistrict).toMatchObject({ status: 400, body: { error: { fields: { district_id: expect.any(String) } } } });

    expect((await send('PUT', '/api/addresses/1/title', headers, { title: '' })).body.error.fields).toHaveProperty('title');
    expect((await send('GET', '/api/addresses/abc', headers)).status).toBe(400);
    expect((await send('GET', '/api/addresses', headers)).body.addresses).toEqual([]);
  });

  it('answers 400 ADDRESS_LIMIT for the 21st address', async () => {
    const { headers } = await loginAs(app);
    for (let i = 0; i < ADDRESS_LIMIT; i++) expect((await send('POST', '/api/addresses', headers, body())).status).toBe(201);
    const over = await send('POST', '/api/addresses', headers, body());
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('ADDRESS_LIMIT');
  });

  it('describes the routes in the OpenAPI document', async () => {
    const doc = (await app.json('/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/addresses', '/api/addresses/{id}', '/api/addresses/{id}/status', '/api/addresses/{id}/title']));
    const post = doc.paths['/api/addresses'].post;
    expect(post['x-meiduo-auth']).toBe('user');
    const schema = post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['receiver', 'province_id', 'city_id', 'district_id', 'place', 'mobile']));
    expect(schema.required).not.toContain('tel');
  });
});
