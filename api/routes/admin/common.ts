import { z } from 'zod';
import type { Config } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { zoneDays } from '../../shop-days.ts';
import { LIMITS } from '../../numbers.ts';
import { idSchema, pageSchema, pageSizeSchema } from '../../validation.ts';

// What the admin routes share: list queries, an id in the path, the bodies' pieces.

export const idParams = z.object({ id: idSchema });
export const listQuery = z.object({
  page: pageSchema.default(1),
  page_size: pageSizeSchema.default(20),
  keyword: z.string().trim().max(50, '关键字最多50个字符').optional(),
});
/** A list query as the services take it. */
export const listOpts = (q: z.infer<typeof listQuery>) => ({ keyword: q.keyword || undefined, page: q.page, pageSize: q.page_size });

export const codenames = z.array(z.string().max(100, '权限名称过长'), { message: '权限是权限名称的数组' }).max(200, '权限过多');
export const groupIds = z.array(z.int({ message: '用户组是 id 的数组' }).min(LIMITS.id.min).max(LIMITS.id.max), { message: '用户组是 id 的数组' }).max(100, '用户组过多');

/** A PATCH body says what to change: an empty one is a mistake, not a no-op. */
export const notEmpty = (v: object) => Object.values(v).some((x) => x !== undefined);
export const NOTHING_TO_CHANGE = { message: '没有要修改的字段' };

/** YYYY-MM-DD, a real calendar date. */
export const shopDate = z
  .string({ message: '日期格式是 YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式是 YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(d + 'T00:00:00Z')) && new Date(d + 'T00:00:00Z').toISOString().startsWith(d), '日期无效');
/** `date_from` and `date_to` of a list query: days of the shop's calendar (SHOP_TZ), both inclusive. */
export const shopDates = { date_from: shopDate.optional(), date_to: shopDate.optional() };

/**
 * The instants a `date_from`…`date_to` query covers in the shop's time zone (api/shop-days.ts):
 * from the first day's start (inclusive) to the last day's end (exclusive). A range that ends
 * before it starts is a 400 naming date_from.
 */
export function dateRange(config: Pick<Config, 'shopTimeZone'>, q: { date_from?: string; date_to?: string }): { from?: number; to?: number } {
  if (q.date_from && q.date_to && q.date_from > q.date_to) throw new ValidationError('开始日期晚于结束日期', { date_from: '开始日期晚于结束日期' });
  const days = zoneDays(config.shopTimeZone);
  return { from: q.date_from ? days.day(q.date_from).start : undefined, to: q.date_to ? days.day(q.date_to).end : undefined };
}
