import { describe, expect, it } from 'vitest';
import { MicroCache } from '../../api/services/catalog/micro-cache.ts';

describe('catalog micro-cache', () => {
  it('reuses a value within its lifetime and reloads after', async () => {
    let now = 0;
    let loads = 0;
    const c = new MicroCache(1000, 100, () => now);
    const load = async () => ++loads;
    expect(await c.get('k', load)).toBe(1);
    now = 999;
    expect(await c.get('k', load)).toBe(1);
    now = 1000;
    expect(await c.get('k', load)).toBe(2);
  });

  it('shares one load between concurrent misses and forgets failures', async () => {
    let loads = 0;
    const c = new MicroCache(1000);
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++loads), 10));
    expect(await Promise.all([c.get('k', slow), c.get('k', slow)])).toEqual([1, 1]);
    await expect(c.get('bad', async () => { throw new Error('db down'); })).rejects.toThrow('db down');
    expect(await c.get('bad', async () => 'ok')).toBe('ok');
  });

  it('is cleared by writers and off at 0 ms', async () => {
    let loads = 0;
    const c = new MicroCache(60_000);
    await c.get('k', async () => ++loads);
    c.clear();
    expect(await c.get('k', async () => ++loads)).toBe(2);
    const off = new MicroCache(0);
    await off.get('k', async () => ++loads);
    expect(await off.get('k', async () => ++loads)).toBe(4);
  });
});
