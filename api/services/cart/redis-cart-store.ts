import type { Redis } from 'ioredis';
import type { RequestContext } from '../../context.ts';
import { MAX_LINES } from '../orders/order-rules.ts';
import type { CartLine, CartStore, LineChange, PutOutcome } from './cart-store.ts';

// Carts of logged-in customers when the shop has Redis, in the original's layout plus the order:
//   cart:<uid>           hash  sku_id → count
//   cart_selected:<uid>  set   the selected sku_ids
//   cart_order:<uid>     zset  sku_id scored by when it was added (1, 2, 3 … per customer)
// A change checks and writes in one Lua script (cart-store.ts' rules, repeated here): one round trip,
// and atomic, so two requests at once can neither pass the line limit nor lose an increment. Keys
// are under the cache's prefix ('meiduo:' by default) and never expire, like the original's.

// KEYS: hash, set, zset. ARGV: sku, count, selected (1/0), mode (add/set), max count, max lines.
// Returns {1, count, added} | {0} (cart full) | {-1, current count} (over max; lowering never is).
const PUT = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if cur == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[6]) then return {0} end
local count = tonumber(ARGV[2])
if ARGV[4] == 'add' then count = count + cur end
if count > tonumber(ARGV[5]) and count > cur then return {-1, cur} end
redis.call('HSET', KEYS[1], ARGV[1], count)
local added = 0
if cur == 0 then
  added = 1
  local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
  local seq = 1
  if last[2] then seq = tonumber(last[2]) + 1 end
  redis.call('ZADD', KEYS[3], seq, ARGV[1])
end
if ARGV[3] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) else redis.call('SREM', KEYS[2], ARGV[1]) end
return {1, count, added}`;

// ARGV: selected (1/0).
const SELECT_ALL = `
redis.call('DEL', KEYS[2])
if ARGV[1] == '1' then
  local skus = redis.call('HKEYS', KEYS[1])
  for i = 1, #skus do redis.call('SADD', KEYS[2], skus[i]) end
end
return 1`;

// ARGV: max lines, then sku, count, selected (1/0) per guest line. The rule is mergeLines'
// (cart-store.ts): guest lines overwrite, new ones are appended, and over the limit the oldest
// account-only lines go (lines missing from the zset count as the oldest).
const MERGE = `
local max = tonumber(ARGV[1])
local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
local seq = 0
if last[2] then seq = tonumber(last[2]) end
local guest = {}
for i = 2, #ARGV, 3 do
  local sku = ARGV[i]
  guest[sku] = true
  if redis.call('HSET', KEYS[1], sku, ARGV[i + 1]) == 1 then
    seq = seq + 1
    redis.call('ZADD', KEYS[3], seq, sku)
  end
  if ARGV[i + 2] == '1' then redis.call('SADD', KEYS[2], sku) else redis.call('SREM', KEYS[2], sku) end
end
local over = redis.call('HLEN', KEYS[1]) - max
if over > 0 then
  local ordered = {}
  for _, sku in ipairs(redis.call('HKEYS', KEYS[1])) do
    if not redis.call('ZSCORE', KEYS[3], sku) then table.insert(ordered, sku) end
  end
  for _, sku in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do table.insert(ordered, sku) end
  for _, sku in ipairs(ordered) do
    if over <= 0 then break end
    if not guest[sku] and redis.call('HDEL', KEYS[1], sku) == 1 then
      redis.call('SREM', KEYS[2], sku)
      redis.call('ZREM', KEYS[3], sku)
      over = over - 1
    end
  end
end
return 1`;

const SCRIPTS = { meiduoCartPut: PUT, meiduoCartSelectAll: SELECT_ALL, meiduoCartMerge: MERGE } as const;
type ScriptName = keyof typeof SCRIPTS;
type Script = (...args: (string | number)[]) => Promise<unknown>;

const flag = (b: boolean) => (b ? '1' : '0');

export class RedisCartStore implements CartStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix = 'meiduo:',
  ) {
    // ioredis sends a defined command as EVALSHA, loading the script on NOSCRIPT; the client is the
    // cache's, shared, so a second store on it reuses the definitions
    for (const [name, lua] of Object.entries(SCRIPTS)) if (!(name in client)) client.defineCommand(name, { numberOfKeys: 3, lua });
  }

  private keys(userId: number): [string, string, string] {
    const p = this.prefix;
    return [`${p}cart:${userId}`, `${p}cart_selected:${userId}`, `${p}cart_order:${userId}`];
  }

  private script(name: ScriptName, userId: number, ...args: (string | number)[]): Promise<unknown> {
    return (this.client as unknown as Record<ScriptName, Script>)[name](...this.keys(userId), ...args);
  }

  async lines(_context: RequestContext, userId: number): Promise<CartLine[]> {
    const [h, s, z] = this.keys(userId);
    const replies = await this.client.multi().hgetall(h).smembers(s).zrange(z, 0, -1).exec();
    if (!replies) throw new Error('cart read aborted');
    for (const [err] of replies) if (err) throw err;
    const counts = replies[0]![1] as Record<string, string>;
    const selected = new Set(replies[1]![1] as string[]);
    const ordered = (replies[2]![1] as string[]).filter((sku) => sku in counts);
    const inOrder = new Set(ordered);
    // a line without an order entry (written by another tool) goes last
    const rest = Object.keys(counts).filter((sku) => !inOrder.has(sku)).sort((a, b) => Number(a) - Number(b));
    return [...ordered, ...rest].flatMap((sku) => {
      const id = Number(sku);
      const count = Number(counts[sku]);
      return Number.isSafeInteger(id) && id > 0 && Number.isSafeInteger(count) && count > 0 ? [{ sku_id: id, count, selected: selected.has(sku) }] : [];
    });
  }

  async put(_context: RequestContext, userId: number, change: LineChange, max: number): Promise<PutOutcome> {
    const r = (await this.script('meiduoCartPut', userId, change.sku_id, change.count, flag(change.selected), change.mode, max, MAX_LINES)) as number[];
    if (r[0] === 0) return { ok: false, reason: 'full' };
    if (r[0] === -1) return { ok: false, reason: 'over', current: Number(r[1]) };
    return { ok: true, added: r[2] === 1, line: { sku_id: change.sku_id, count: Number(r[1]), selected: change.selected } };
  }

  async remove(_context: RequestContext, userId: number, skuIds: readonly number[]): Promise<void> {
    if (skuIds.length === 0) return;
    const [h, s, z] = this.keys(userId);
    const members = skuIds.map(String);
    const replies = await this.client.multi().hdel(h, ...members).srem(s, ...members).zrem(z, ...members).exec();
    for (const [err] of replies ?? []) if (err) throw err;
  }

  async selectAll(_context: RequestContext, userId: number, selected: boolean): Promise<void> {
    await this.script('meiduoCartSelectAll', userId, flag(selected));
  }

  async merge(_context: RequestContext, userId: number, guest: readonly CartLine[]): Promise<void> {
    if (guest.length === 0) return;
    const lines = guest.slice(-MAX_LINES);
    await this.script('meiduoCartMerge', userId, MAX_LINES, ...lines.flatMap((l) => [l.sku_id, l.count, flag(l.selected)]));
  }
}
