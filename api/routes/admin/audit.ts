import { z } from 'zod';
import { ValidationError } from '../../errors.ts';
import { listAudit } from '../../services/admin/audit.ts';
import { pageSchema, pageSizeSchema } from '../../validation.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/admin.ts';

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3600_000;
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式是 YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(d + 'T00:00:00Z')) && new Date(d + 'T00:00:00Z').toISOString().startsWith(d), '日期无效');
/** The start of a Beijing day, epoch ms (the shop's days are China's: api/beijing-time.ts). */
const dayStart = (d: string) => Date.parse(d + 'T00:00:00Z') - BEIJING_MS;

// The audit trail, read-only: no route changes or deletes an entry.
export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/audit',
    auth: { permission: 'audit.view_audit' },
    summary: 'Audit entries, newest first; filter by actor name, resource, resource id and Beijing dates (inclusive)',
    query: z.object({
      actor: z.string().max(60).optional(),
      resource: z.string().max(60).optional(),
      resource_id: z.string().max(64).optional(),
      date_from: date.optional(),
      date_to: date.optional(),
      page: pageSchema.default(1),
      page_size: pageSizeSchema.default(20),
    }),
    response: answer.auditPage,
    handler: async ({ query, context }) => {
      if (query.date_from && query.date_to && query.date_from > query.date_to) throw new ValidationError('开始日期晚于结束日期', { date_from: '开始日期晚于结束日期' });
      return listAudit(context, {
        actor: query.actor || undefined,
        resource: query.resource || undefined,
        resourceId: query.resource_id || undefined,
        from: query.date_from ? dayStart(query.date_from) : undefined,
        to: query.date_to ? dayStart(query.date_to) + DAY_MS : undefined,
        page: query.page,
        pageSize: query.page_size,
      });
    },
  }),
];
