import { z } from 'zod';
import { decimalInt } from '../../validation.ts';
import * as answer from '../answers/statistics.ts';
import { defineRoute } from '../define.ts';

// The admin statistics (docs/statistics.md): figures of the shop's days (SHOP_TZ) as the request's
// clock sees today, for staff with statistics.view_statistics.

const auth = { permission: 'statistics.view_statistics' } as const;
const days = (max: number, fallback: number) => z.object({ days: decimalInt({ min: 1, max }, `必须是 1-${max} 的整数`).default(fallback) });

export const statisticsRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/users/total',
    auth,
    summary: 'Customers registered in all (date: today)',
    response: answer.dayCount,
    handler: ({ context, services }) => services.statistics.totalUsers(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/users/new',
    auth,
    summary: 'Customers registered today',
    response: answer.dayCount,
    handler: ({ context, services }) => services.statistics.newUsersToday(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/users/active',
    auth,
    summary: 'Customers who logged in or used a session today',
    response: answer.dayCount,
    handler: ({ context, services }) => services.statistics.activeUsersToday(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/users/ordered',
    auth,
    summary: 'Customers who placed an order today (not cancelled)',
    response: answer.dayCount,
    handler: ({ context, services }) => services.statistics.orderingUsersToday(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/users/daily',
    auth,
    summary: 'Customers registered per day, the last `days` days (default 30) oldest first, 0 for a day without any',
    query: days(90, 30),
    response: answer.dayCounts,
    handler: ({ query, context, services }) => services.statistics.newUsersPerDay(context, query.days),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/orders/today',
    auth,
    summary: 'Orders placed today (not cancelled) and what they amount to (goods + freight)',
    response: answer.dayOrders,
    handler: ({ context, services }) => services.statistics.ordersToday(context),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/orders/daily',
    auth,
    summary: 'Orders (not cancelled) and their amount per day, the last `days` days (default 30) oldest first',
    query: days(90, 30),
    response: answer.dayOrdersList,
    handler: ({ query, context, services }) => services.statistics.ordersPerDay(context, query.days),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/skus/top',
    auth,
    summary: 'The best-selling SKUs (units in orders not cancelled) of the last `days` days (default 7), `limit` of them (default 10)',
    query: days(30, 7).extend({ limit: decimalInt({ min: 1, max: 50 }, '必须是 1-50 的整数').default(10) }),
    response: answer.topSkus,
    handler: ({ query, context, services }) => services.statistics.topSkus(context, query.days, query.limit),
  }),
  defineRoute({
    method: 'get',
    path: '/api/admin/statistics/views/today',
    auth,
    summary: 'Today’s SKU page views per category, most viewed first (flushed every minute)',
    response: answer.categoryViews,
    handler: ({ context, services }) => services.statistics.viewsToday(context),
  }),
];
