import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { sumCentsSql, whereContains } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { NotFoundError } from '../../errors.ts';
import { formatCents } from '../../money.ts';
import type { SessionService } from '../accounts/sessions.ts';
import { TOKEN_KINDS } from '../accounts/tokens.ts';
import type { Address, AddressService } from '../addresses/address-service.ts';
import { ORDER_STATUS, PAY_METHOD } from '../orders/order-rules.ts';
import { diff, recordAudit } from './audit.ts';

// Customers as staff see them (docs/admin.md, 用户): the shop's users who are not staff — staff
// accounts are api/services/admin/staff.ts's, and a staff id here is "not found". Staff find
// customers by username, mobile or email and deactivate or reactivate them. Deactivating one ends
// every shop session they hold (the same revocation a password change does), in the transaction that
// writes the flag and its audit entry, so their next request is anonymous; login already refuses an
// inactive account (api/services/accounts/accounts-service.ts findByAccount), and so does QQ login.

/**
 * The orders a customer has paid for: not cancelled (a cancelled paid order is refunded), and paid
 * through Alipay (paid_at) or, cash on delivery, received.
 */
const paidOrders = (q: Knex.QueryBuilder) =>
  q
    .whereNot('status', ORDER_STATUS.canceled)
    .where((w) => w.whereNotNull('paid_at').orWhere((c) => c.where('pay_method', PAY_METHOD.cash).whereIn('status', [ORDER_STATUS.uncommented, ORDER_STATUS.finished])));

export const CUSTOMER_ORDERINGS = {
  id: { column: 'id', order: 'asc' },
  '-id': { column: 'id', order: 'desc' },
  date_joined: { column: 'created_at', order: 'asc' },
  '-date_joined': { column: 'created_at', order: 'desc' },
  last_active_at: { column: 'last_active_at', order: 'asc' },
  '-last_active_at': { column: 'last_active_at', order: 'desc' },
} as const;
export type CustomerOrdering = keyof typeof CUSTOMER_ORDERINGS;

export interface CustomerSummary {
  id: number;
  username: string;
  mobile: string;
  email: string | null;
  is_active: boolean;
  date_joined: string;
  last_active_at: string | null;
  orders_count: number;
}

export interface CustomerDetail extends CustomerSummary {
  email_active: boolean;
  addresses_count: number;
  default_address: Address | null;
  /** orders paid for (Alipay, or cash on delivery once received) and not cancelled, their payment amounts summed: yuan, exact */
  total_paid: string;
  paid_orders_count: number;
  /** the customer's live shop sessions (logged-in browsers and apps) */
  sessions_count: number;
  /** bound to a QQ account */
  qq_bound: boolean;
}

export interface CustomerFilters {
  keyword?: string;
  isActive?: boolean;
  /** joined at or after, epoch ms */
  from?: number;
  /** joined before, epoch ms */
  to?: number;
  ordering: CustomerOrdering;
  page: number;
  pageSize: number;
}

interface Row {
  id: number;
  username: string;
  mobile: string;
  email: string | null;
  email_active: unknown;
  is_active: unknown;
  created_at: number | string;
  last_active_at: number | string | null;
}

const flag = (v: unknown) => Boolean(Number(v));
const iso = (ms: number | string) => new Date(Number(ms)).toISOString();
const COLUMNS = ['id', 'username', 'mobile', 'email', 'email_active', 'is_active', 'created_at', 'last_active_at'];
const notFound = () => new NotFoundError('用户不存在', 'USER_NOT_FOUND');

export class CustomerService {
  constructor(
    private readonly shopSessions: SessionService,
    private readonly addresses: AddressService,
  ) {}

  private customers(context: RequestContext) {
    return db(context)('users').where('is_staff', false);
  }

  private async orderCounts(context: RequestContext, ids: number[]): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    const rows: { user_id: number; n: number | string }[] = await db(context)('orders').whereIn('user_id', ids).groupBy('user_id').select('user_id').count({ n: '*' });
    return new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
  }

  private static summary(r: Row, orders: number): CustomerSummary {
    return {
      id: Number(r.id),
      username: r.username,
      mobile: r.mobile,
      email: r.email || null,
      is_active: flag(r.is_active),
      date_joined: iso(r.created_at),
      last_active_at: r.last_active_at == null ? null : iso(r.last_active_at),
      orders_count: orders,
    };
  }

  /** Customers only; the keyword is text (a `%` or `_` in it matches itself) found in the username, mobile or email. */
  async list(context: RequestContext, f: CustomerFilters): Promise<{ count: number; results: CustomerSummary[] }> {
    const q = () => {
      const b = this.customers(context);
      if (f.keyword) {
        const kw = f.keyword;
        b.where((w) => whereContains(whereContains(whereContains(w, 'username', kw), 'mobile', kw, true), 'email', kw, true));
      }
      if (f.isActive !== undefined) b.where('is_active', f.isActive);
      if (f.from !== undefined) b.where('created_at', '>=', f.from);
      if (f.to !== undefined) b.where('created_at', '<', f.to);
      return b;
    };
    const total = await q().count({ n: '*' }).first();
    const order = CUSTOMER_ORDERINGS[f.ordering];
    // never-active customers last either way; ties broken by id so pages never overlap
    const sorted = q();
    if (order.column === 'last_active_at') sorted.orderByRaw('CASE WHEN last_active_at IS NULL THEN 1 ELSE 0 END');
    const rows: Row[] = await sorted
      .orderBy([{ column: order.column, order: order.order }, ...(order.column === 'id' ? [] : [{ column: 'id', order: order.order }])])
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .select(COLUMNS);
    const counts = await this.orderCounts(context, rows.map((r) => Number(r.id)));
    return { count: Number(total?.n ?? 0), results: rows.map((r) => CustomerService.summary(r, counts.get(Number(r.id)) ?? 0)) };
  }

  async get(context: RequestContext, id: number): Promise<CustomerDetail> {
    const row = await this.customers(context).where({ id }).first<Row | undefined>(COLUMNS);
    if (!row) throw notFound();
    const q = db(context);
    const [orders, paid, sessions, qq, addresses] = await Promise.all([
      this.orderCounts(context, [id]),
      paidOrders(q('orders').where('user_id', id))
        .first(q.raw('COUNT(*) AS n'), q.raw(`${sumCentsSql(q, 'payment_amount')} AS cents`)) as Promise<{ n: number | string; cents: number | string } | undefined>,
      q('auth_tokens').where({ user_id: id, kind: TOKEN_KINDS.session }).where('expires_at', '>', context.clock.now().getTime()).count({ n: '*' }).first(),
      q('oauth_qq_users').where({ user_id: id }).first('id'),
      this.addresses.list(context, id),
    ]);
    return {
      ...CustomerService.summary(row, orders.get(id) ?? 0),
      email_active: flag(row.email_active),
      addresses_count: addresses.addresses.length,
      default_address: addresses.addresses.find((a) => a.id === addresses.default_address_id) ?? null,
      total_paid: formatCents(Number(paid?.cents ?? 0)),
      paid_orders_count: Number(paid?.n ?? 0),
      sessions_count: Number(sessions?.n ?? 0),
      qq_bound: qq !== undefined,
    };
  }

  /**
   * Deactivates or reactivates a customer. Deactivating ends all their shop sessions in the same
   * transaction as the flag and the audit entry (resource users.user, is_active old → new). A patch
   * that changes nothing writes nothing.
   */
  async setActive(context: RequestContext, id: number, active: boolean): Promise<CustomerDetail> {
    return withTransaction(context, async (tx) => {
      const row = await this.customers(tx).where({ id }).first<{ is_active: unknown } | undefined>('is_active');
      if (!row) throw notFound();
      const before = flag(row.is_active);
      if (before !== active) {
        await db(tx)('users').where({ id, is_staff: false }).update({ is_active: active, updated_at: tx.clock.now().getTime() });
        await recordAudit(tx, { action: 'update', resource: 'users.user', resourceId: id, changes: diff({ is_active: before }, { is_active: active }) });
      }
      // also when it already was inactive: no session outlives a deactivation request
      if (!active) await this.shopSessions.revokeAll(db(tx), id);
      return this.get(tx, id);
    });
  }
}
