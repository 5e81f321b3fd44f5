import { z } from 'zod';
import { count, id, money } from './common.ts';

// Answers of the admin statistics (api/services/statistics/statistics-service.ts).

/** A shop day (SHOP_TZ), YYYY-MM-DD. */
const date = z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/).meta({ description: 'a day in the shop’s time zone (SHOP_TZ)', examples: ['2026-12-04'] });

export const dayCount = z.strictObject({ date, count });
export const dayCounts = z.array(dayCount);
export const dayOrders = z.strictObject({ date, count, amount: money });
export const dayOrdersList = z.array(dayOrders);
export const topSkus = z.array(z.strictObject({ sku_id: id, name: z.string(), count, amount: money }));
export const categoryViews = z.array(z.strictObject({ category_id: id, name: z.string(), count }));
