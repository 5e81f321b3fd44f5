import { z } from 'zod';
import { pageSchema, pageSizeSchema } from '../validation.ts';
import { defineRoute } from './define.ts';

export const searchRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/search',
    auth: 'public',
    query: z.object({
      q: z.string({ message: '缺少搜索关键词 q' }).trim().min(1, '缺少搜索关键词 q').max(100, '关键词不能超过 100 个字符'),
      page: pageSchema.default(1),
      page_size: pageSizeSchema.default(20),
    }),
    handler: async ({ query, context, services }) => services.search.search(context, query.q, query.page, query.page_size),
  }),
];
