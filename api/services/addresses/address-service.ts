import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { forUpdate } from '../../db/dialect.ts';
import { db, withTransaction } from '../../db/transaction.ts';
import { AppError, NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import { validate } from '../../validation.ts';
import { addressBodySchema, titleBodySchema, type AddressBody, type AddressInput } from './address-schema.ts';

// A customer's shipping addresses. Everything is scoped to the user the caller names: an address of
// another user answers exactly as a missing or deleted one (404), so ids reveal nothing.
//
// Invariants kept here, because the original shop broke them (meiduo-original.md §6.2 #23):
// - at most ADDRESS_LIMIT live addresses per user, also under concurrent creates: every write that
//   counts addresses or moves the default first locks the user's row (users, then addresses — one
//   lock order everywhere); on SQLite every transaction is IMMEDIATE, which serialises them anyway;
// - users.default_address_id is null or one of the user's live addresses: the first address becomes
//   the default, and deleting the default hands it to the newest remaining one.
//
// Every write runs in the request's transaction when it has one (api/db/transaction.ts), else in its
// own; the area check reads through the same context, so it joins it too.

export const ADDRESS_LIMIT = 20;

export interface Address {
  id: number;
  title: string;
  receiver: string;
  province_id: number;
  province: string;
  city_id: number;
  city: string;
  district_id: number;
  district: string;
  place: string;
  mobile: string;
  tel: string | null;
  email: string | null;
}

export interface AddressList {
  user_id: number;
  default_address_id: number | null;
  limit: number;
  /** Live addresses, newest first (by id: editing one does not move it in the list). */
  addresses: Address[];
}

export interface AreaHierarchy {
  checkHierarchy(context: RequestContext, provinceId: number, cityId: number, districtId: number): Promise<boolean>;
}

type Db = Knex | Knex.Transaction;

const notFound = () => new NotFoundError('收货地址不存在', 'ADDRESS_NOT_FOUND');

export class AddressService {
  constructor(private readonly areas: AreaHierarchy) {}

  async list(context: RequestContext, userId: number): Promise<AddressList> {
    const q = db(context);
    const [user, rows] = await Promise.all([
      q('users').where({ id: userId }).first('default_address_id'),
      this.selectLive(q, userId).orderBy('a.id', 'desc'),
    ]);
    const addresses = rows.map(toAddress);
    const defaultId = user?.default_address_id == null ? null : Number(user.default_address_id);
    return {
      user_id: userId,
      // never an id the list does not show, whatever an older release left behind
      default_address_id: addresses.some((a) => a.id === defaultId) ? defaultId : null,
      limit: ADDRESS_LIMIT,
      addresses,
    };
  }

  async get(context: RequestContext, userId: number, id: number): Promise<Address> {
    return this.read(db(context), userId, id);
  }

  /** 201 in the API. The first address becomes the user's default. */
  async create(context: RequestContext, userId: number, body: AddressBody): Promise<Address> {
    const input = validate(addressBodySchema, body, '收货地址有误');
    await this.checkAreas(context, input);
    const now = context.clock.now().getTime();
    return this.write(context, async (trx) => {
      const user = await this.lockUser(trx, userId);
      const live = await forUpdate(trx, trx('addresses').where({ user_id: userId, is_deleted: false }).count({ n: '*' }));
      if (Number(live[0]?.n ?? 0) >= ADDRESS_LIMIT) {
        throw new AppError({ message: `收货地址最多 ${ADDRESS_LIMIT} 个，已达到上限`, statusCode: 400, code: 'ADDRESS_LIMIT' });
      }
      const [id] = await trx('addresses').insert({
        user_id: userId,
        ...columns(input),
        title: input.title ?? input.receiver,
        is_deleted: false,
        created_at: now,
        updated_at: now,
      });
      const addressId = Number(id);
      if (user.default_address_id == null) await trx('users').where({ id: userId }).update({ default_address_id: addressId });
      return this.read(trx, userId, addressId);
    });
  }

  /** Replaces the address's fields; an absent or empty title keeps the current one. */
  async update(context: RequestContext, userId: number, id: number, body: AddressBody): Promise<Address> {
    const input = validate(addressBodySchema, body, '收货地址有误');
    await this.checkAreas(context, input);
    const now = context.clock.now().getTime();
    return this.write(context, async (trx) => {
      const changed = await trx('addresses')
        .where({ id, user_id: userId, is_deleted: false })
        .update({ ...columns(input), ...(input.title ? { title: input.title } : {}), updated_at: now });
      if (changed === 0) throw notFound();
      return this.read(trx, userId, id);
    });
  }

  /**
   * Deletes the address's row: orders keep their own copy of the address they were sent to, so
   * nothing needs it any more (the soft delete kept every deleted address for ever). 204 in the API.
   */
  async remove(context: RequestContext, userId: number, id: number): Promise<void> {
    await this.write(context, async (trx) => {
      const user = await this.lockUser(trx, userId);
      const deleted = await trx('addresses').where({ id, user_id: userId, is_deleted: false }).del();
      if (deleted === 0) throw notFound();
      if (Number(user.default_address_id) !== id) return;
      const next = await trx('addresses').where({ user_id: userId, is_deleted: false }).orderBy('id', 'desc').first('id');
      await trx('users')
        .where({ id: userId })
        .update({ default_address_id: next ? Number(next.id) : null });
    });
  }

  async setDefault(context: RequestContext, userId: number, id: number): Promise<{ message: 'OK'; default_address_id: number }> {
    return this.write(context, async (trx) => {
      await this.lockUser(trx, userId);
      const row = await trx('addresses').where({ id, user_id: userId, is_deleted: false }).first('id');
      if (!row) throw notFound();
      await trx('users').where({ id: userId }).update({ default_address_id: id });
      return { message: 'OK' as const, default_address_id: id };
    });
  }

  async setTitle(context: RequestContext, userId: number, id: number, body: { title: string }): Promise<{ id: number; title: string }> {
    const { title } = validate(titleBodySchema, body, '地址名称有误');
    const now = context.clock.now().getTime();
    return this.write(context, async (trx) => {
      const changed = await trx('addresses').where({ id, user_id: userId, is_deleted: false }).update({ title, updated_at: now });
      if (changed === 0) throw notFound();
      return { id, title };
    });
  }

  private write<T>(context: RequestContext, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return withTransaction(context, (c) => work(c.trx));
  }

  /** The user's row, locked until the transaction ends: the one queue for that user's address writes. */
  private async lockUser(trx: Knex.Transaction, userId: number): Promise<{ default_address_id: number | null }> {
    const rows = await forUpdate(trx, trx('users').where({ id: userId }).select('id', 'default_address_id'));
    if (rows.length === 0) throw new NotFoundError('用户不存在', 'USER_NOT_FOUND');
    return rows[0];
  }

  private async checkAreas(context: RequestContext, input: AddressInput): Promise<void> {
    if (await this.areas.checkHierarchy(context, input.province_id, input.city_id, input.district_id)) return;
    // the checker answers yes or no; which field is wrong takes one more look (a rejected form only)
    const rows: { id: number; parent_id: number | null }[] = await db(context)('areas')
      .whereIn('id', [input.province_id, input.city_id, input.district_id])
      .select('id', 'parent_id');
    const parentOf = new Map(rows.map((r) => [Number(r.id), r.parent_id == null ? null : Number(r.parent_id)]));
    const fields: FieldErrors =
      parentOf.get(input.province_id) !== null
        ? { province_id: '省份不存在' }
        : parentOf.get(input.city_id) !== input.province_id
          ? { city_id: '城市不属于所选省份' }
          : { district_id: '区县不属于所选城市' };
    throw new ValidationError('收货地址的省市区不匹配', fields);
  }

  private selectLive(q: Db, userId: number) {
    return q('addresses as a')
      .join('areas as p', 'p.id', 'a.province_id')
      .join('areas as c', 'c.id', 'a.city_id')
      .join('areas as d', 'd.id', 'a.district_id')
      .where({ 'a.user_id': userId, 'a.is_deleted': false })
      .select(
        'a.id',
        'a.title',
        'a.receiver',
        'a.province_id',
        'a.city_id',
        'a.district_id',
        'a.place',
        'a.mobile',
        'a.tel',
        'a.email',
        { province: 'p.name', city: 'c.name', district: 'd.name' },
      );
  }

  private async read(q: Db, userId: number, id: number): Promise<Address> {
    const row = await this.selectLive(q, userId).andWhere('a.id', id).first();
    if (!row) throw notFound();
    return toAddress(row);
  }
}

const columns = (input: AddressInput) => ({
  receiver: input.receiver,
  province_id: input.province_id,
  city_id: input.city_id,
  district_id: input.district_id,
  place: input.place,
  mobile: input.mobile,
  tel: input.tel,
  email: input.email,
});

const toAddress = (r: Record<string, any>): Address => ({
  id: Number(r.id),
  title: r.title,
  receiver: r.receiver,
  province_id: Number(r.province_id),
  province: r.province,
  city_id: Number(r.city_id),
  city: r.city,
  district_id: Number(r.district_id),
  district: r.district,
  place: r.place,
  mobile: r.mobile,
  tel: r.tel || null,
  email: r.email || null,
});
