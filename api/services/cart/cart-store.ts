import type { RequestContext } from '../../context.ts';
import { MAX_LINES } from '../orders/order-rules.ts';

// Where a logged-in customer's cart lives: Redis when the shop has it (redis-cart-store.ts), else
// the cart_lines table (sql-cart-store.ts). The rules of a change are the pure functions below; the
// SQL store and the guest cookie apply them to the lines they loaded, and the Redis store's Lua
// scripts repeat them inside Redis, so that a change is one atomic round trip there.

export interface CartLine {
  sku_id: number;
  count: number;
  selected: boolean;
}

/** A line's new count: `add` adds to what the cart holds (POST), `set` replaces it (PUT). */
export interface LineChange extends CartLine {
  mode: 'add' | 'set';
}

export type PutOutcome =
  | { ok: true; line: CartLine; added: boolean }
  /** A new line, and the cart already holds MAX_LINES. */
  | { ok: false; reason: 'full' }
  /** The resulting count would pass `max` and raise the line; `current` is what the line holds now (0: no line). */
  | { ok: false; reason: 'over'; current: number };

export interface CartStore {
  /** Every line, in the order the lines were added. */
  lines(context: RequestContext, userId: number): Promise<CartLine[]>;
  /** Adds or sets one line, unless the cart is full or the count would rise past `max` (maxPerOrder). */
  put(context: RequestContext, userId: number, change: LineChange, max: number): Promise<PutOutcome>;
  remove(context: RequestContext, userId: number, skuIds: readonly number[]): Promise<void>;
  selectAll(context: RequestContext, userId: number, selected: boolean): Promise<void>;
  /** The guest cart joins the account's by mergeLines' rule. */
  merge(context: RequestContext, userId: number, guest: readonly CartLine[]): Promise<void>;
}

export function putLine(lines: readonly CartLine[], change: LineChange, max: number, maxLines = MAX_LINES): PutOutcome {
  const existing = lines.find((l) => l.sku_id === change.sku_id);
  const current = existing?.count ?? 0;
  if (!existing && lines.length >= maxLines) return { ok: false, reason: 'full' };
  const count = change.mode === 'add' ? current + change.count : change.count;
  // Lowering is always allowed, even to a count still above `max`: a line left above a stock that
  // fell since must be able to come down one step at a time (the cart page's −).
  if (count > max && count > current) return { ok: false, reason: 'over', current };
  return { ok: true, added: !existing, line: { sku_id: change.sku_id, count, selected: change.selected } };
}

/** The lines with `line` in place of its SKU's line, or appended (the guest cart's next state). */
export function withLine(lines: readonly CartLine[], line: CartLine): CartLine[] {
  return lines.some((l) => l.sku_id === line.sku_id) ? lines.map((l) => (l.sku_id === line.sku_id ? line : l)) : [...lines, line];
}

/**
 * The login merge. For a SKU in both carts the guest line wins, count and `selected` (the original's
 * rule: what the shopper just chose as a guest is what they mean); it keeps the account line's place.
 * Lines only in the account stay; lines only in the guest cart follow them, in the guest's order.
 * Over `maxLines`, the account-only lines added longest ago go (`dropped`): a guest cart holds at
 * most `maxLines`, so everything the shopper just chose is kept.
 */
export function mergeLines(account: readonly CartLine[], guest: readonly CartLine[], maxLines = MAX_LINES): { lines: CartLine[]; dropped: number[] } {
  const fromGuest = new Map(guest.slice(-maxLines).map((l) => [l.sku_id, l]));
  const inAccount = new Set(account.map((l) => l.sku_id));
  const merged = [...account.map((l) => fromGuest.get(l.sku_id) ?? l), ...[...fromGuest.values()].filter((l) => !inAccount.has(l.sku_id))];
  const dropped: number[] = [];
  for (const l of merged) {
    if (merged.length - dropped.length <= maxLines) break;
    if (!fromGuest.has(l.sku_id)) dropped.push(l.sku_id);
  }
  const gone = new Set(dropped);
  return { lines: merged.filter((l) => !gone.has(l.sku_id)), dropped };
}
