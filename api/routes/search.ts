import { z } from 'zod';
import { pageSchema, pageSizeSchema } from '../validation.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/catalog.ts';

export const searchRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/search',
    summary: 'Search the launched SKUs with the published index (Chinese, English and mixed queries)',
    response: answer.searchResults,
    examples: { response: { count: 1, results: [{ id: 14, name: '华为 HUAWEI P10 Plus 6GB+64GB 钻雕金 移动联通电信4G手机 双卡双待', price: '3388.00', default_image_url: '/media/goods/14.jpg', comments: 0 }], index: '3f2a9c1b0d4e5a67' } },
    auth: 'public',
    query: z.object({
      q: z.string({ message: '缺少搜索关键词 q' }).trim().min(1, '缺少搜索关键词 q').max(100, '关键词不能超过 100 个字符'),
      page: pageSchema.default(1),
      page_size: pageSizeSchema.default(20),
    }),
    handler: async ({ query, context, services }) => services.search.search(context, query.q, query.page, query.page_size),
  }),
];
