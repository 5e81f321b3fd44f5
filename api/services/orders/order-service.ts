import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import type { RequestContext } from '../../context.ts';
import { isDeadlock, violatedUnique, whereStartsWith } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { centsFromDb, formatCents } from '../../money.ts';
import type { AddressService } from '../addresses/address-service.ts';
import type { CartSource } from './cart-source.ts';
import { checkCustomerLimits, lockCustomer } from './order-limits.ts';
import { FREIGHT_CENTS, newOrderId, ORDER_STATUS, PAY_METHOD, PAY_METHOD_NAMES, STATUS_NAMES, type OrderStatus, type PayMethod } from './order-rules.ts';
import { actionsOf, cancelDetail, CUSTOMER_CANCELABLE, staffActionsOf, type StaffAction, refundStateOf, timelineOf, type CanceledBy, type OrderAction, type RefundState, type TimelineEntry } from './order-state.ts';
import { readSkus, returnStock, takeStock, unitsWanted, type Locking } from './stock.ts';

// Checkout and orders. An order is placed in ONE transaction: stock taken (stock.ts), the order
// with a copy of the address and each line's name and unit price at that moment, and a row in
// sales_changes for every SKU sold (the hot-page job, orders/hot-pages.ts, plans from those), within
// what one customer may hold (order-limits.ts: units of a SKU and open orders). Only after
// the commit do the ordered lines leave the cart: if that fails (Redis down), the order stands and
// the answer says it was placed. An Idempotency-Key makes a retry return the same order.

const now = (c: RequestContext) => c.clock.now().getTime();

export interface OrderLine {
  sku_id: number;
  name: string;
  default_image_url: string | null;
  price: string;
  count: number;
  amount: string;
  comment: string | null;
  score: number | null;
  is_anonymous: boolean;
  is_commented: boolean;
}

export interface Order {
  order_id: string;
  created_at: string;
  status: number;
  status_name: string;
  pay_method: number;
  pay_method_name: string;
  total_count: number;
  total_amount: string;
  freight: string;
  payment_amount: string;
  pay_deadline: string | null;
  /** the refund of a cancelled paid order (or of a payment that came too late): null when none */
  refund_state: RefundState | null;
  /** what the customer may do with it now (order-state.ts) */
  actions: OrderAction[];
  timeline: TimelineEntry[];
  /** the carrier and tracking number staff gave when shipping; null until shipped */
  express_company: string | null;
  tracking_no: string | null;
  address: { receiver: string; province: string; city: string; district: string; place: string; mobile: string; tel: string | null; email: string | null };
  skus: OrderLine[];
}

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

function toLine(r: Record<string, any>): OrderLine {
  const price = centsFromDb(r.price);
  return {
    sku_id: Number(r.sku_id),
    name: r.name,
    default_image_url: r.default_image_url ?? null,
    price: formatCents(price),
    count: Number(r.count),
    amount: formatCents(price * Number(r.count)),
    comment: r.comment ?? null,
    score: r.score === null || r.score === undefined ? null : Number(r.score),
    is_anonymous: Boolean(r.is_anonymous),
    is_commented: Boolean(r.is_commented),
  };
}

/** What an order's answer needs besides its row and lines: its payments recorded for refund. */
interface OrderExtras {
  refundStates: (string | null)[];
  refundedAt: number | null;
}

const ms = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toOrder(r: Record<string, any>, lines: Record<string, any>[], extras: OrderExtras | undefined, at: number): Order {
  const status = Number(r.status) as keyof typeof STATUS_NAMES;
  const payMethod = Number(r.pay_method) as PayMethod;
  const commented = lines.map((l) => ms(l.commented_at)).filter((t): t is number => t !== null);
  const refundState = refundStateOf(extras?.refundStates ?? []);
  return {
    order_id: r.order_id,
    created_at: iso(r.created_at),
    status,
    status_name: STATUS_NAMES[status],
    pay_method: payMethod,
    pay_method_name: PAY_METHOD_NAMES[payMethod],
    total_count: Number(r.total_count),
    total_amount: formatCents(centsFromDb(r.total_amount)),
    freight: formatCents(centsFromDb(r.freight)),
    payment_amount: formatCents(centsFromDb(r.payment_amount)),
    pay_deadline: r.pay_deadline === null || r.pay_deadline === undefined ? null : iso(r.pay_deadline),
    refund_state: refundState,
    actions: actionsOf({ status, pay_method: payMethod, pay_deadline_ms: ms(r.pay_deadline) }, at),
    timeline: timelineOf({
      placed: ms(r.created_at),
      paid: ms(r.paid_at),
      // the order is 待评价 until every line is commented: the last comment is when it was
      commented: commented.length && lines.every((l) => Boolean(l.is_commented)) ? Math.max(...commented) : null,
      shipped: ms(r.shipped_at),
      received: ms(r.received_at),
      canceled: ms(r.canceled_at),
      refunded: refundState === 'done' ? (extras?.refundedAt ?? null) : null,
    }, {
      shipped: r.express_company ? `${r.express_company} ${r.tracking_no}` : null,
      canceled: cancelDetail(r.canceled_by ?? null, r.cancel_reason ?? null),
    }),
    express_company: r.express_company ?? null,
    tracking_no: r.tracking_no ?? null,
    address: { receiver: r.receiver, province: r.province, city: r.city, district: r.district, place: r.place, mobile: r.mobile, tel: r.tel ?? null, email: r.email ?? null },
    skus: lines.map(toLine),
  };
}


/** Staff's order list counts its matches up to this many (then `count_capped`). */
export const STAFF_COUNT_CAP = 10_000;
/** How many users a staff keyword may match before their orders are looked up. */
const STAFF_KEYWORD_USERS = 200;

/** An order as staff see it: the customer's view without its buttons, plus who and how it was paid. */
export type StaffOrder = Omit<Order, 'actions'> & {
  customer: { id: number; username: string; mobile: string | null };
  payments: { id: number; trade_no: string; amount: string; outcome: string; refund_state: string | null; created_at: string }[];
  staff_actions: StaffAction[];
};

export class OrderService {
  constructor(
    private readonly cart: CartSource,
    private readonly addresses: AddressService,
    private readonly config: Pick<Config, 'orders'>,
    /** Without Alipay keys there is no Alipay payment: such orders are refused, never faked. */
    private readonly alipayAvailable = true,
    private readonly locking: Locking = config.orders.locking,
    /** Told of each order committed (the shop's metrics count them by payment method). */
    private readonly committed?: (payMethod: PayMethod) => void,
  ) {}

  /** The selected cart lines priced now, the addresses to choose from, freight and totals. */
  async settlement(context: RequestContext, userId: number) {
    const lines = await this.cart.selectedLines(context, userId);
    const ids = lines.map((l) => l.sku_id);
    const rows = ids.length ? await db(context)('skus').whereIn('id', ids).where('is_launched', true).select('id', 'name', 'default_image', 'price', 'stock') : [];
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    let totalCount = 0;
    let totalCents = 0;
    const skus = lines.flatMap((l) => {
      const r = byId.get(l.sku_id);
      if (!r) return [];
      const price = centsFromDb(r.price);
      totalCount += l.count;
      totalCents += price * l.count;
      return [{ id: l.sku_id, name: r.name, default_image_url: r.default_image || null, price: formatCents(price), count: l.count, amount: formatCents(price * l.count), stock: Number(r.stock) }];
    });
    const book = await this.addresses.list(context, userId);
    const freight = skus.length ? FREIGHT_CENTS : 0;
    return {
      addresses: book.addresses,
      default_address_id: book.default_address_id,
      skus,
      total_count: totalCount,
      total_amount: formatCents(totalCents),
      freight: formatCents(freight),
      payment_amount: formatCents(totalCents + freight),
    };
  }

  /**
   * Places the order of the selected cart lines. Returns `created: false` for a retry of an earlier
   * request with the same Idempotency-Key (and the same body); the same key with another body is 409.
   */
  async commit(
    context: RequestContext,
    userId: number,
    input: { address_id: number; pay_method: PayMethod },
    idempotencyKey?: string,
  ): Promise<{ order_id: string; created: boolean; cart_cleared: boolean }> {
    const requestHash = crypto.createHash('sha256').update(JSON.stringify([input.address_id, input.pay_method])).digest('hex');
    const earlier = async () => {
      if (!idempotencyKey) return null;
      const row = await db(context)('orders').where({ user_id: userId, idempotency_key: idempotencyKey }).first('order_id', 'request_hash');
      if (!row) return null;
      if (row.request_hash !== requestHash) throw new ConflictError('这个 Idempotency-Key 已用于另一个订单请求', 'IDEMPOTENCY_KEY_REUSED');
      return { order_id: row.order_id as string, created: false, cart_cleared: true };
    };
    const before = await earlier();
    if (before) return before;
    if (input.pay_method === PAY_METHOD.alipay && !this.alipayAvailable) {
      throw new ValidationError('支付宝支付暂不可用，请选择货到付款', { pay_method: '支付宝支付暂不可用' });
    }

    let lines: { sku_id: number; count: number }[];
    try {
      lines = await this.cart.selectedLines(context, userId);
    } catch (err) {
      // the cart's store (Redis) is down: nothing has been written, and the answer says so
      throw new AppError({ message: '购物车暂时无法读取，订单未提交，请稍后再试', statusCode: 503, code: 'CART_UNAVAILABLE', cause: err, expose: true });
    }
    if (lines.length === 0) throw new ValidationError('购物车中没有选中的商品', { cart: '没有选中的商品' });
    const address = await db(context)('addresses as a')
      .join('areas as p', 'p.id', 'a.province_id')
      .join('areas as c', 'c.id', 'a.city_id')
      .join('areas as d', 'd.id', 'a.district_id')
      .where({ 'a.id': input.address_id, 'a.user_id': userId, 'a.is_deleted': false })
      .first('a.id', 'a.receiver', 'a.place', 'a.mobile', 'a.tel', 'a.email', 'p.name as province', 'c.name as city', 'd.name as district');
    if (!address) throw new ValidationError('收货地址不存在', { address_id: '收货地址不存在' });

    const at = now(context);
    let orderId = '';
    for (let attempt = 0; ; attempt++) {
      orderId = newOrderId(at);
      try {
        await withTransaction(context, async ({ trx }) => {
          const wanted = unitsWanted(lines);
          // the customer's row first (their orders queue here), the contended SKU rows last (stock.ts)
          await lockCustomer(trx, userId);
          const taken = await readSkus(trx, wanted);
          await checkCustomerLimits(trx, userId, taken, this.config.orders);
          const totalCents = taken.reduce((sum, s) => sum + s.price_cents * s.count, 0);
          const alipay = input.pay_method === PAY_METHOD.alipay;
          await trx('orders').insert({
            order_id: orderId,
            user_id: userId,
            idempotency_key: idempotencyKey ?? null,
            request_hash: idempotencyKey ? requestHash : null,
            address_id: address.id,
            receiver: address.receiver,
            province: address.province,
            city: address.city,
            district: address.district,
            place: address.place,
            mobile: address.mobile,
            tel: address.tel ?? null,
            email: address.email ?? null,
            total_count: taken.reduce((n, s) => n + s.count, 0),
            total_amount: formatCents(totalCents),
            freight: formatCents(FREIGHT_CENTS),
            payment_amount: formatCents(totalCents + FREIGHT_CENTS),
            pay_method: input.pay_method,
            status: alipay ? ORDER_STATUS.unpaid : ORDER_STATUS.unsent,
            created_at: at,
            updated_at: at,
            pay_deadline: alipay ? at + this.config.orders.payTimeoutMs : null,
          });
          await trx('order_lines').insert(
            taken.map((s) => ({ order_id: orderId, sku_id: s.id, name: s.name, default_image_url: s.default_image_url, count: s.count, price: formatCents(s.price_cents), is_anonymous: false, is_commented: false })),
          );
          await trx('sales_changes').insert(taken.map((s) => ({ sku_id: s.id, delta: s.count, created_at: at })));
          await takeStock(trx, wanted, this.locking);
        });
        break;
      } catch (err) {
        // inside a caller's transaction the whole of it failed: only the caller can run it again
        if (context.trx) throw err;
        if (violatedUnique(err, { orders_idempotency_unique: 'idempotency_key' })) {
          // a concurrent request with the same key won: this one rolled back and answers as a retry
          const won = await earlier();
          if (won) return won;
        }
        const idClash = violatedUnique(err, { PRIMARY: 'order_id', orders_pkey: 'order_id' });
        if ((idClash || isDeadlock(err)) && attempt < 3) continue;
        throw err;
      }
    }
    this.committed?.(input.pay_method);
    let cartCleared = true;
    try {
      await this.cart.removeLines(context, userId, lines.map((l) => l.sku_id));
    } catch {
      cartCleared = false; // the order stands; the lines stay in the cart until the customer removes them
    }
    return { order_id: orderId, created: true, cart_cleared: cartCleared };
  }

  private async linesOf(q: Knex, orderIds: string[]) {
    if (orderIds.length === 0) return new Map<string, Record<string, any>[]>();
    const rows = await q('order_lines').whereIn('order_id', orderIds).orderBy('id');
    const by = new Map<string, Record<string, any>[]>();
    for (const r of rows) by.set(r.order_id, [...(by.get(r.order_id) ?? []), r]);
    return by;
  }

  private async extrasOf(q: Knex, orderIds: string[]) {
    const by = new Map<string, OrderExtras>();
    if (orderIds.length === 0) return by;
    const rows = await q('payments').whereIn('order_id', orderIds).where('outcome', 'refund').select('order_id', 'refund_state', 'refunded_at');
    for (const r of rows) {
      const e = by.get(r.order_id) ?? { refundStates: [], refundedAt: null };
      e.refundStates.push(r.refund_state ?? null);
      const t = ms(r.refunded_at);
      if (t !== null) e.refundedAt = Math.max(e.refundedAt ?? 0, t);
      by.set(r.order_id, e);
    }
    return by;
  }

  /** Orders of the user per status, for the tabs of 我的订单. */
  async counts(context: RequestContext, userId: number): Promise<{ all: number } & Record<OrderStatus, number>> {
    const rows: { status: unknown; n: unknown }[] = await db(context)('orders').where('user_id', userId).groupBy('status').select('status').count({ n: '*' });
    const counts = { all: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0 };
    for (const r of rows) {
      const s = Number(r.status) as OrderStatus;
      if (s in counts) counts[s] = Number(r.n);
      counts.all += Number(r.n);
    }
    return counts;
  }

  async list(context: RequestContext, userId: number, opts: { page: number; pageSize: number; status?: number }) {
    const q = db(context);
    const base = () => {
      const b = q('orders').where('user_id', userId);
      return opts.status ? b.where('status', opts.status) : b;
    };
    const count = Number((await base().count({ n: '*' }).first())?.n ?? 0);
    const rows = await base().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'order_id', order: 'desc' }]).limit(opts.pageSize).offset((opts.page - 1) * opts.pageSize);
    const ids = rows.map((r) => r.order_id);
    const [lines, extras] = [await this.linesOf(q, ids), await this.extrasOf(q, ids)];
    return { count, page: opts.page, page_size: opts.pageSize, results: rows.map((r) => toOrder(r, lines.get(r.order_id) ?? [], extras.get(r.order_id), now(context))) };
  }

  /** The user's order; another user's, or none, is 404 (never 403: do not tell it exists). */
  async get(context: RequestContext, userId: number, orderId: string): Promise<Order> {
    const q = db(context);
    const row = await q('orders').where({ order_id: orderId, user_id: userId }).first();
    if (!row) throw new NotFoundError('订单不存在', 'ORDER_NOT_FOUND');
    const [lines, extras] = [await this.linesOf(q, [orderId]), await this.extrasOf(q, [orderId])];
    return toOrder(row, lines.get(orderId) ?? [], extras.get(orderId), now(context));
  }

  /**
   * Orders for staff (GET /api/admin/orders): newest first, by state, by a keyword that is an order
   * number, a username (its start) or a mobile, and by when they were placed (`from` inclusive, `to`
   * exclusive, epoch ms: the route turns the shop's dates into instants). The keyword finds the users
   * first (by their unique indexes) and then their orders by user_id, so neither lookup scans.
   */
  async listForStaff(
    context: RequestContext,
    opts: { page: number; pageSize: number; status?: number; keyword?: string; from?: number; to?: number },
    cap = STAFF_COUNT_CAP,
  ): Promise<{ count: number; count_capped: boolean; results: StaffOrder[] }> {
    const q = db(context);
    let userIds: number[] | null = null;
    if (opts.keyword) {
      const kw = opts.keyword;
      const users = await q('users')
        .where((w) => {
          whereStartsWith(w, 'username', kw);
          if (/^\d{11}$/.test(kw)) w.orWhere('mobile', kw);
        })
        .limit(STAFF_KEYWORD_USERS)
        .pluck('id');
      userIds = users.map(Number);
    }
    const base = () => {
      const b = q('orders');
      if (opts.keyword) b.where((w) => w.where('order_id', opts.keyword!).orWhereIn('user_id', userIds!.length ? userIds! : [0]));
      if (opts.status) b.where('status', opts.status);
      if (opts.from !== undefined) b.where('created_at', '>=', opts.from);
      if (opts.to !== undefined) b.where('created_at', '<', opts.to);
      return b;
    };
    // Counting every match costs a pass over them (150 ms for a million orders on MariaDB): past
    // STAFF_COUNT_CAP the list says "more than" rather than how many, as a console pager needs.
    const capped = await q.count({ n: '*' }).from(base().select(q.raw('1 as one')).limit(cap + 1).as('matches')).first();
    const n = Number(capped?.n ?? 0);
    const rows = await base().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'order_id', order: 'desc' }]).limit(opts.pageSize).offset((opts.page - 1) * opts.pageSize);
    return { count: Math.min(n, cap), count_capped: n > cap, results: await this.staffView(context, rows) };
  }

  /** One order for staff, whoever placed it, with its customer and payments. */
  async getForStaff(context: RequestContext, orderId: string): Promise<StaffOrder> {
    const row = await db(context)('orders').where({ order_id: orderId }).first();
    if (!row) throw new NotFoundError('订单不存在', 'ORDER_NOT_FOUND');
    return (await this.staffView(context, [row]))[0]!;
  }

  private async staffView(context: RequestContext, rows: Record<string, any>[]): Promise<StaffOrder[]> {
    const q = db(context);
    const ids = rows.map((r) => r.order_id as string);
    const [lines, extras] = [await this.linesOf(q, ids), await this.extrasOf(q, ids)];
    const users = new Map<number, { id: number; username: string; mobile: string | null }>();
    const userIds = [...new Set(rows.map((r) => Number(r.user_id)))];
    if (userIds.length) for (const u of await q('users').whereIn('id', userIds).select('id', 'username', 'mobile')) users.set(Number(u.id), { id: Number(u.id), username: u.username, mobile: u.mobile ?? null });
    const payments = new Map<string, StaffOrder['payments']>();
    if (ids.length) {
      for (const p of await q('payments').whereIn('order_id', ids).orderBy('id').select('id', 'order_id', 'trade_no', 'amount', 'outcome', 'refund_state', 'created_at')) {
        const list = payments.get(p.order_id) ?? [];
        list.push({ id: Number(p.id), trade_no: p.trade_no, amount: formatCents(centsFromDb(p.amount)), outcome: p.outcome, refund_state: p.outcome === 'refund' ? (p.refund_state ?? 'pending') : null, created_at: iso(p.created_at) });
        payments.set(p.order_id, list);
      }
    }
    const at = now(context);
    return rows.map((r) => {
      const { actions: _customer, ...order } = toOrder(r, lines.get(r.order_id) ?? [], extras.get(r.order_id), at);
      const status = Number(r.status) as OrderStatus;
      return {
        ...order,
        customer: users.get(Number(r.user_id)) ?? { id: Number(r.user_id), username: '', mobile: null },
        payments: payments.get(r.order_id) ?? [],
        staff_actions: staffActionsOf(status),
      };
    });
  }

  /**
   * The customer cancels an order not yet shipped (待支付, or 待发货 — cash on delivery, or paid: the
   * payment is then given back by the refund job): its stock and sales go back, once. An order
   * already shipped, received or cancelled is 409 naming its state.
   */
  async cancel(context: RequestContext, userId: number, orderId: string): Promise<Order> {
    const done = await withTransaction(context, ({ trx }) => cancelOrderIn(trx, orderId, now(context), { userId, from: CUSTOMER_CANCELABLE, by: 'customer' }));
    if (!done) {
      const exists = await db(context)('orders').where({ order_id: orderId, user_id: userId }).first('status');
      if (!exists) throw new NotFoundError('订单不存在', 'ORDER_NOT_FOUND');
      const name = STATUS_NAMES[Number(exists.status) as OrderStatus];
      throw new ConflictError(`订单${name}，不能取消：只能取消待支付或待发货的订单`, 'ORDER_NOT_CANCELABLE');
    }
    return this.get(context, userId, orderId);
  }

  /**
   * The unpaid-orders job: cancels Alipay orders past their deadline; returns how many. `lastChance`
   * runs first for each (asking Alipay whether it was paid after all, its notify lost); if it settles
   * the order, the cancel finds it paid and does nothing.
   */
  async cancelExpired(context: RequestContext, lastChance?: (orderId: string) => Promise<boolean>, limit = 200): Promise<number> {
    const at = now(context);
    const due = await db(context)('orders').where('status', ORDER_STATUS.unpaid).where('pay_deadline', '<=', at).orderBy('pay_deadline').limit(limit).pluck('order_id');
    let n = 0;
    for (const id of due) {
      // false: Alipay could not be asked — keep the order for the next run rather than cancel one that may be paid
      if (lastChance && !(await lastChance(id))) continue;
      if (await withTransaction(context, ({ trx }) => cancelOrderIn(trx, id, at, { from: [ORDER_STATUS.unpaid], by: 'system' }))) n++;
    }
    return n;
  }
}

/**
 * Moves an order in one of the states `from` to 已取消 and returns its stock — decided by ONE
 * conditional UPDATE, so a payment (`… WHERE status = 1`) or a shipment (`… WHERE status = 2`)
 * committing at the same moment makes this a no-op (false), and vice versa: an order is never both.
 * A settled payment of the order becomes one to give back (outcome 'refund', refund_state
 * 'pending') in the same transaction; the payments.refund job refunds it. The one cancel of the
 * customer (OrderService.cancel), the unpaid-order job (cancelExpired) and staff (cancelByStaff).
 */
export async function cancelOrderIn(
  trx: Knex.Transaction,
  orderId: string,
  at: number,
  opts: { from: readonly OrderStatus[]; by: CanceledBy; userId?: number; reason?: string },
): Promise<boolean> {
  const q = trx('orders').where({ order_id: orderId }).whereIn('status', opts.from);
  const changed = await (opts.userId === undefined ? q : q.where('user_id', opts.userId)).update({
    status: ORDER_STATUS.canceled,
    updated_at: at,
    canceled_at: at,
    canceled_by: opts.by,
    cancel_reason: opts.reason ?? null,
  });
  if (changed !== 1) return false;
  await trx('payments').where({ order_id: orderId, outcome: 'settled' }).update({ outcome: 'refund', refund_state: 'pending', refund_next_at: null });
  const lines = await trx('order_lines').where({ order_id: orderId }).select('sku_id', 'count');
  await returnStock(trx, lines.map((l) => ({ sku_id: Number(l.sku_id), count: Number(l.count) })));
  if (lines.length) await trx('sales_changes').insert(lines.map((l) => ({ sku_id: l.sku_id, delta: -Number(l.count), created_at: at })));
  return true;
}
