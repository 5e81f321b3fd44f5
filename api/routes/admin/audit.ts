import { z } from 'zod';
import { listAudit } from '../../services/admin/audit.ts';
import { pageSchema, pageSizeSchema } from '../../validation.ts';
import { defineRoute } from '../define.ts';
import * as answer from '../answers/admin.ts';
import { dateRange, shopDates } from './common.ts';

// The audit trail, read-only: no route changes or deletes an entry.
export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/audit',
    auth: { permission: 'audit.view_audit' },
    summary: 'Audit entries, newest first; filter by actor name, resource, resource id and the shop’s dates (SHOP_TZ, inclusive)',
    query: z.object({
      actor: z.string().max(60).optional(),
      resource: z.string().max(60).optional(),
      resource_id: z.string().max(64).optional(),
      ...shopDates,
      page: pageSchema.default(1),
      page_size: pageSizeSchema.default(20),
    }),
    response: answer.auditPage,
    handler: async ({ query, context, services }) => {
      return listAudit(context, {
        actor: query.actor || undefined,
        resource: query.resource || undefined,
        resourceId: query.resource_id || undefined,
        ...dateRange(services.config, query),
        page: query.page,
        pageSize: query.page_size,
      });
    },
  }),
];
