import { z } from 'zod';
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
