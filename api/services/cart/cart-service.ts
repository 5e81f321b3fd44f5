import type { Cache } from '../../cache/index.ts';
import { RedisCache } from '../../cache/redis.ts';
import type { Cookies, RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { AppError, ValidationError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { centsFromDb, formatCents } from '../../money.ts';
import { validate } from '../../validation.ts';
import type { CartSource } from '../orders/cart-source.ts';
import { MAX_COUNT_PER_LINE, MAX_LINES, maxPerOrder } from '../orders/order-rules.ts';
import { cartAddSchema, cartDeleteSchema, cartPutSchema, cartSelectionSchema, type CartAddBody, type CartItem, type CartPutBody } from './cart-schema.ts';
import { putLine, withLine, type CartLine, type CartStore, type LineChange, type PutOutcome } from './cart-store.ts';
import { CART_COOKIE, CART_COOKIE_MAX_AGE_S, GuestCartCookie } from './guest-cookie.ts';
import { setHeaderCartCount } from '../header/header-cookies.ts';
import { RedisCartStore } from './redis-cart-store.ts';
import { SkuStockBatch } from './sku-batch.ts';
import { SqlCartStore } from './sql-cart-store.ts';
import { stockState } from './stock-state.ts';

// The shopping cart (issue 8), for guests and customers alike: a logged-in caller's cart is in the
// CartStore (Redis, or the cart_lines table without it), a guest's in a signed cookie
// (guest-cookie.ts). Whoever the caller is, the same rules hold: launched SKUs only, 1 to
// maxPerOrder (stock, 99, ORDER_MAX_UNITS_PER_SKU) of each — a count above it may always be lowered
// — and at most 50 lines. At login the guest cart joins the account's
// (mergeGuest, a sessionStarted hook). Checkout reads and clears the cart through CartSource.
// Every read and write also refreshes the header's readable cart-count cookie (header-cookies.ts),
// counted as the cart page counts: pieces of launched SKUs.

export class CartFullError extends AppError {
  constructor() {
    super({ message: `购物车最多放 ${MAX_LINES} 种商品`, statusCode: 400, code: 'CART_FULL', fields: { sku_id: `购物车最多放 ${MAX_LINES} 种商品` } });
  }
}

const BAD_INPUT = '请求参数有误';

export class CartService implements CartSource {
  private readonly store: CartStore;
  private readonly cookie: GuestCartCookie;
  private readonly skus: SkuStockBatch;

  /** maxUnitsPerSku: config.orders.maxUnitsPerSku (ORDER_MAX_UNITS_PER_SKU), one of maxPerOrder's bounds. */
  constructor(
    cache: Cache,
    secretKey: string,
    private readonly maxUnitsPerSku: number,
    private readonly log?: Logger,
  ) {
    this.store = cache instanceof RedisCache ? new RedisCartStore(cache.client) : new SqlCartStore();
    this.cookie = new GuestCartCookie(secretKey);
    this.skus = new SkuStockBatch();
  }

  private static userOf(context: RequestContext): number | null {
    return context.actor.kind === 'user' ? context.actor.userId : null;
  }

  private guestLines(cookies: Cookies): CartLine[] {
    return this.cookie.decode(cookies.get(CART_COOKIE));
  }

  private async saveGuest(context: RequestContext, cookies: Cookies, lines: CartLine[]): Promise<void> {
    // an emptied cart takes its cookie with it
    cookies.set(CART_COOKIE, lines.length > 0 ? this.cookie.encode(lines) : null, { httpOnly: true, maxAgeSeconds: CART_COOKIE_MAX_AGE_S });
    await this.showCount(context, cookies, lines);
  }

  /** The header's badge cookie from these lines: pieces of SKUs still for sale (what GET /cart lists). */
  private async showCount(context: RequestContext, cookies: Cookies, lines: CartLine[]): Promise<void> {
    const pieces = (await this.forSale(context, lines)).reduce((n, l) => n + l.count, 0);
    setHeaderCartCount(cookies, pieces);
  }

  /** After a write to an account's cart: its lines as stored now. */
  private async showUserCount(context: RequestContext, cookies: Cookies, userId: number): Promise<void> {
    await this.showCount(context, cookies, await this.store.lines(context, userId));
  }

  private launched(context: RequestContext, ids: number[]) {
    return db(context)('skus').whereIn('id', ids).andWhere('is_launched', true);
  }

  /** The caller's lines: the account's when logged in, else the cookie's. */
  private lines(context: RequestContext, cookies: Cookies): Promise<CartLine[]> {
    const userId = CartService.userOf(context);
    return userId === null ? Promise.resolve(this.guestLines(cookies)) : this.store.lines(context, userId);
  }

  /**
   * The cart page, in the order the lines were added, priced now, each line with its stock state and
   * its max. A line of a SKU taken off sale stays (已下架, unselected, removable) rather than vanish
   * without a word; only a line whose SKU no longer exists at all is left out.
   */
  async list(context: RequestContext, cookies: Cookies): Promise<CartItem[]> {
    const lines = await this.lines(context, cookies);
    const items = await this.priced(context, lines);
    // every page's header asks for the cart: its answer also sets the badge cookie right, whatever changed it elsewhere
    setHeaderCartCount(cookies, items.reduce((n, i) => n + i.count, 0));
    return items;
  }

  private async priced(context: RequestContext, lines: CartLine[]): Promise<CartItem[]> {
    if (lines.length === 0) return [];
    const rows = await db(context)('skus').whereIn('id', lines.map((l) => l.sku_id)).select('id', 'name', 'default_image', 'price', 'stock', 'is_launched');
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    return lines.flatMap((l) => {
      const r = byId.get(l.sku_id);
      if (!r) return [];
      const launched = Boolean(r.is_launched);
      const stock = launched ? Math.max(0, Number(r.stock)) : 0;
      const max = launched ? maxPerOrder(stock, this.maxUnitsPerSku) : 0;
      return [{
        id: l.sku_id,
        name: r.name as string,
        default_image_url: (r.default_image as string | null) ?? '',
        price: formatCents(centsFromDb(r.price)),
        count: l.count,
        selected: launched && l.selected,
        stock,
        max,
        stock_state: stockState({ launched, stock, count: l.count, max }),
      }];
    });
  }

  /** POST: adds `count` to the SKU's line; the answer carries the new total. */
  add(context: RequestContext, cookies: Cookies, body: CartAddBody): Promise<CartLine> {
    const b = validate(cartAddSchema, body, BAD_INPUT);
    return this.change(context, cookies, { ...b, mode: 'add' });
  }

  /** PUT: sets the SKU's line (count and selected), adding it when absent. */
  update(context: RequestContext, cookies: Cookies, body: CartPutBody): Promise<CartLine> {
    const b = validate(cartPutSchema, body, BAD_INPUT);
    return this.change(context, cookies, { ...b, mode: 'set' });
  }

  /** Inside a caller's transaction the read must be the transaction's own; else it joins the batch. */
  private async stockOf(context: RequestContext, skuId: number): Promise<number | null> {
    if (!context.trx) return this.skus.stockOf(context, skuId);
    const row = await context.trx('skus').where({ id: skuId, is_launched: true }).first('stock');
    return row ? Number(row.stock) : null;
  }

  private async change(context: RequestContext, cookies: Cookies, change: LineChange): Promise<CartLine> {
    const stock = await this.stockOf(context, change.sku_id);
    if (stock === null) throw new ValidationError('商品不存在', { sku_id: '商品不存在或已下架' });
    const max = maxPerOrder(stock, this.maxUnitsPerSku);
    const r = await this.put(context, cookies, change, max);
    if (r.ok) return r.line;
    if (r.reason === 'full') throw new CartFullError();
    // the refusal names the max, and why it is what it is
    const held = r.current > 0 ? `，购物车中已有 ${r.current} 件` : '';
    if (max < stock) {
      const why = this.maxUnitsPerSku <= MAX_COUNT_PER_LINE ? '每人限购' : '每种商品最多';
      throw new ValidationError(`${why} ${max} 件`, { count: `${why} ${max} 件${held}` });
    }
    throw new ValidationError('库存不足', { count: stock > 0 ? `库存不足，最多可买 ${max} 件（剩余 ${stock} 件）${held}` : '库存不足，该商品暂时无货' });
  }

  /**
   * A full cart first lets go of the lines of SKUs taken off sale since (the cart page no longer
   * shows them), then tries once more.
   */
  private async put(context: RequestContext, cookies: Cookies, change: LineChange, max: number): Promise<PutOutcome> {
    const userId = CartService.userOf(context);
    if (userId === null) {
      let lines = this.guestLines(cookies);
      let r = putLine(lines, change, max);
      if (!r.ok && r.reason === 'full') r = putLine((lines = await this.forSale(context, lines)), change, max);
      if (r.ok) await this.saveGuest(context, cookies, withLine(lines, r.line));
      return r;
    }
    const r = await this.putForUser(context, userId, change, max);
    if (r.ok) await this.showUserCount(context, cookies, userId);
    return r;
  }

  private async putForUser(context: RequestContext, userId: number, change: LineChange, max: number): Promise<PutOutcome> {
    const r = await this.store.put(context, userId, change, max);
    if (r.ok || r.reason !== 'full') return r;
    const lines = await this.store.lines(context, userId);
    const kept = new Set((await this.forSale(context, lines)).map((l) => l.sku_id));
    if (kept.size === lines.length) return r;
    await this.store.remove(context, userId, lines.filter((l) => !kept.has(l.sku_id)).map((l) => l.sku_id));
    return this.store.put(context, userId, change, max);
  }

  private async forSale(context: RequestContext, lines: CartLine[]): Promise<CartLine[]> {
    if (lines.length === 0) return lines;
    const ids = new Set((await this.launched(context, lines.map((l) => l.sku_id)).pluck('id')).map(Number));
    return lines.filter((l) => ids.has(l.sku_id));
  }

  /** DELETE: removes the SKU's line, if any (a SKU taken off sale can still be removed). */
  async remove(context: RequestContext, cookies: Cookies, body: { sku_id: number }): Promise<void> {
    const { sku_id } = validate(cartDeleteSchema, body, BAD_INPUT);
    const userId = CartService.userOf(context);
    if (userId !== null) {
      await this.store.remove(context, userId, [sku_id]);
      return this.showUserCount(context, cookies, userId);
    }
    const lines = this.guestLines(cookies);
    if (lines.some((l) => l.sku_id === sku_id)) await this.saveGuest(context, cookies, lines.filter((l) => l.sku_id !== sku_id));
  }

  /** PUT /cart/selection: every line selected, or none. */
  async selectAll(context: RequestContext, cookies: Cookies, body: { selected: boolean }): Promise<{ selected: boolean }> {
    const { selected } = validate(cartSelectionSchema, body, BAD_INPUT);
    const userId = CartService.userOf(context);
    if (userId !== null) await this.store.selectAll(context, userId, selected);
    else {
      const lines = this.guestLines(cookies);
      if (lines.length > 0) await this.saveGuest(context, cookies, lines.map((l) => ({ ...l, selected })));
    }
    return { selected };
  }

  /**
   * The sessionStarted hook: the guest cookie's lines join the account's cart (mergeLines' rule:
   * the cookie wins for a SKU in both, the account's other lines stay, at most 50) and the cookie is
   * cleared. Lines of SKUs no longer for sale are left behind. A failure must not fail the login
   * that has already issued its session: the cookie then stays, to merge at the next login.
   * Either way the header's count cookie then shows the account's cart (merged or not).
   */
  async mergeGuest(started: { userId: number; context: RequestContext; cookies: Cookies }): Promise<void> {
    const { userId, context, cookies } = started;
    const raw = cookies.get(CART_COOKIE);
    if (raw !== undefined) {
      try {
        const lines = await this.forSale(context, this.cookie.decode(raw));
        if (lines.length > 0) await this.store.merge(context, userId, lines);
        cookies.set(CART_COOKIE, null, { httpOnly: true });
      } catch (err) {
        this.log?.error({ err, userId }, 'guest cart merge failed; the cookie stays for the next login');
      }
    }
    try {
      await this.showUserCount(context, cookies, userId);
    } catch (err) {
      // only the badge's cookie is missing: the page's GET /api/cart sets it
      this.log?.warn({ err, userId }, 'cart count for the header failed at login');
    }
  }

  /** The header's count cookie after something else changed the account's cart (an order took its lines). */
  async showCountOf(context: RequestContext, cookies: Cookies, userId: number): Promise<void> {
    await this.showUserCount(context, cookies, userId);
  }

  /**
   * CartSource: the selected lines, in the order they were added — of SKUs on sale: a line taken off
   * sale shows unselected (list) and so is not part of the checkout, it stays in the cart.
   */
  async selectedLines(context: RequestContext, userId: number): Promise<{ sku_id: number; count: number }[]> {
    const selected = (await this.store.lines(context, userId)).filter((l) => l.selected);
    return (await this.forSale(context, selected)).map(({ sku_id, count }) => ({ sku_id, count }));
  }

  /** CartSource: drops the ordered lines. */
  removeLines(context: RequestContext, userId: number, skuIds: number[]): Promise<void> {
    return this.store.remove(context, userId, skuIds);
  }
}
