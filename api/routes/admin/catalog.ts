import { z } from 'zod';
import type { RequestContext } from '../../context.ts';
import * as reads from '../../services/catalog/admin-reads.ts';
import * as editor from '../../services/catalog/catalog-editor.ts';
import { idSchema, pageSchema, pageSizeSchema } from '../../validation.ts';
import { defineRoute, type AnyRoute } from '../define.ts';
import * as answer from '../answers/admin-catalog.ts';

// The admin catalog API (docs/admin-catalog.md): list / get / create / update (PATCH, the changed
// fields only) / delete for each catalog resource. Reads go to admin-reads.ts; every write goes
// through the catalog editor (catalog-editor.ts, which the `meiduo` CLI uses too), which records
// the pages it makes stale with the write and the audit entry, in the route's transaction.

const idOnly = z.object({ id: idSchema });
const listQuery = {
  page: pageSchema.optional(),
  page_size: pageSizeSchema.optional(),
  keyword: z.string().max(50, '不能超过 50 个字符').optional(),
};

interface Resource {
  /** Path segment under /api/admin, e.g. 'skus'. */
  path: string;
  /** What the summaries call it. */
  noun: string;
  /** The permission model, e.g. 'goods.%_sku' with % the action. */
  permission: (action: 'view' | 'add' | 'change' | 'delete') => string;
  item: z.ZodType;
  /** Filters of the list beyond page, page_size and keyword. */
  filters?: Record<string, z.ZodType>;
  keyword: string;
  list(context: RequestContext, query: any): Promise<unknown>;
  get(context: RequestContext, id: number): Promise<unknown>;
  createBody: z.ZodType;
  create(context: RequestContext, body: unknown): Promise<unknown>;
  updateBody: z.ZodType;
  update(context: RequestContext, id: number, body: unknown): Promise<unknown>;
  remove?(context: RequestContext, id: number): Promise<unknown>;
  /** What makes a delete a 409. */
  inUse?: string;
}

function resourceRoutes(r: Resource): AnyRoute[] {
  const base = `/api/admin/${r.path}`;
  const withPages = (item: z.ZodType) => (item as z.ZodObject).extend(answer.written);
  const routes: AnyRoute[] = [
    defineRoute({
      method: 'get',
      path: base,
      summary: `A page of ${r.noun}s, matched by ${r.keyword}`,
      auth: { permission: r.permission('view') },
      query: z.object({ ...listQuery, ...r.filters }),
      response: answer.list(r.item),
      handler: async ({ query, context }) => r.list(context, query),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:id`,
      summary: `One ${r.noun}`,
      auth: { permission: r.permission('view') },
      params: idOnly,
      errors: [404],
      response: r.item,
      handler: async ({ params, context }) => r.get(context, params.id),
    }),
    defineRoute({
      method: 'post',
      path: base,
      summary: `Create a ${r.noun}; answers it with the pages a worker re-renders`,
      auth: { permission: r.permission('add') },
      body: r.createBody,
      errors: [409],
      statusCode: 201,
      transaction: true,
      response: withPages(r.item),
      handler: async ({ body, context }) => r.create(context, body),
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/:id`,
      summary: `Change some fields of a ${r.noun}; answers it with the pages a worker re-renders`,
      auth: { permission: r.permission('change') },
      params: idOnly,
      body: r.updateBody,
      errors: [404, 409],
      transaction: true,
      response: withPages(r.item),
      handler: async ({ params, body, context }) => r.update(context, params.id, body),
    }),
  ];
  if (r.remove) {
    const remove = r.remove;
    routes.push(defineRoute({
      method: 'delete',
      path: `${base}/:id`,
      summary: `Delete a ${r.noun}${r.inUse ? ` (409 while ${r.inUse})` : ''}`,
      auth: { permission: r.permission('delete') },
      params: idOnly,
      errors: [404, 409],
      transaction: true,
      response: answer.deleted,
      handler: async ({ params, context }) => remove(context, params.id),
    }));
  }
  return routes;
}

const goods = (model: string) => (action: string) => `goods.${action}_${model}`;
const optionalId = idSchema.optional();

export const adminCatalogRoutes: AnyRoute[] = [
  ...resourceRoutes({
    path: 'skus', noun: 'SKU', permission: goods('sku'), item: answer.sku, keyword: 'name or id',
    filters: {
      spu_id: optionalId, category_id: optionalId, brand_id: optionalId,
      ordering: z.enum(reads.SKU_ORDERINGS, { message: `必须是 ${reads.SKU_ORDERINGS.join(' | ')} 之一` }).optional()
        .meta({ description: 'id (default), price, stock or sales; `-` first for descending; ties by id in the same direction' }),
    },
    list: reads.listSkus, get: reads.getSku,
    createBody: editor.skuCreateSchema, create: editor.createSku,
    updateBody: editor.skuUpdateSchema, update: editor.editSku,
    remove: editor.deleteSku, inUse: 'order lines name it',
  }),
  ...resourceRoutes({
    path: 'spus', noun: 'SPU', permission: goods('spu'), item: answer.spu, keyword: 'name or id',
    filters: { brand_id: optionalId },
    list: reads.listSpus, get: reads.getSpu,
    createBody: editor.spuCreateSchema, create: editor.createSpu,
    updateBody: editor.spuUpdateSchema, update: editor.editSpu,
    remove: editor.deleteSpu, inUse: 'it has SKUs',
  }),
  ...resourceRoutes({
    path: 'specs', noun: 'spec', permission: goods('spec'), item: answer.spec, keyword: 'spec or SPU name',
    filters: { spu_id: optionalId },
    list: reads.listSpecs, get: reads.getSpec,
    createBody: editor.specCreateSchema, create: editor.createSpec,
    updateBody: editor.specUpdateSchema, update: editor.editSpec,
    remove: editor.deleteSpec, inUse: 'SKUs use it',
  }),
  ...resourceRoutes({
    path: 'spec-options', noun: 'spec option', permission: goods('spec_option'), item: answer.specOption, keyword: 'value',
    filters: { spec_id: optionalId },
    list: reads.listOptions, get: reads.getOption,
    createBody: editor.optionCreateSchema, create: editor.createOption,
    updateBody: editor.optionUpdateSchema, update: editor.editOption,
    remove: editor.deleteOption, inUse: 'SKUs use it',
  }),
  ...resourceRoutes({
    path: 'brands', noun: 'brand', permission: goods('brand'), item: answer.brand, keyword: 'name, alias or id',
    list: reads.listBrands, get: reads.getBrand,
    createBody: editor.brandCreateSchema, create: editor.createBrand,
    updateBody: editor.brandUpdateSchema, update: editor.editBrand,
    remove: editor.deleteBrand, inUse: 'SPUs have it',
  }),
  ...resourceRoutes({
    path: 'categories', noun: 'category', permission: goods('category'), item: answer.category, keyword: 'name or id',
    filters: { parent_id: optionalId },
    list: reads.listCategories, get: reads.getCategory,
    createBody: editor.categoryCreateSchema, create: editor.createCategory,
    updateBody: editor.categoryUpdateSchema, update: editor.editCategory,
    remove: editor.deleteCategory, inUse: 'it has children, SKUs, SPUs or a channel',
  }),
  ...resourceRoutes({
    path: 'channel-groups', noun: 'channel group', permission: goods('channel_group'), item: answer.channelGroup, keyword: 'name or id',
    list: reads.listChannelGroups, get: reads.getChannelGroup,
    createBody: editor.channelGroupCreateSchema, create: editor.createChannelGroup,
    updateBody: editor.channelGroupUpdateSchema, update: editor.editChannelGroup,
    remove: editor.deleteChannelGroup, inUse: 'it has channels',
  }),
  ...resourceRoutes({
    path: 'channels', noun: 'channel', permission: goods('channel'), item: answer.channel, keyword: 'category or group name',
    list: reads.listChannels, get: reads.getChannel,
    createBody: editor.channelCreateSchema, create: editor.createChannel,
    updateBody: editor.channelUpdateSchema, update: editor.editChannel,
    remove: editor.deleteChannel,
  }),
  ...resourceRoutes({
    path: 'content-categories', noun: 'content category', permission: (a) => `contents.${a}_content_category`, item: answer.contentCategory, keyword: 'name or key',
    list: reads.listContentCategories, get: reads.getContentCategory,
    createBody: editor.contentCategoryCreateSchema, create: editor.createContentCategory,
    updateBody: editor.contentCategoryUpdateSchema, update: editor.editContentCategory,
    remove: editor.deleteContentCategory, inUse: 'it has contents',
  }),
  ...resourceRoutes({
    path: 'contents', noun: 'content item', permission: (a) => `contents.${a}_content`, item: answer.content, keyword: 'title or id',
    filters: { category_id: optionalId },
    list: reads.listAdminContents, get: reads.getContent,
    createBody: editor.contentCreateSchema, create: editor.createContent,
    updateBody: editor.contentUpdateSchema, update: editor.editContent,
    remove: editor.deleteContent,
  }),
];
