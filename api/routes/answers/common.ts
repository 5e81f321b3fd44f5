import { z } from 'zod';
import { LIMITS } from '../../numbers.ts';

// Pieces of the API's answers that several route files share. Each route's answer schema is what
// the OpenAPI document shows and what the integration tests check every answer against, so these
// say exactly what the services return (zod objects become `additionalProperties: false`: a field
// a service adds, drops or renames fails the tests until its schema says so).

/** A database id. */
export const id = z.int().min(LIMITS.id.min).max(LIMITS.id.max);
/** A count or quantity. */
export const count = z.int().min(0);
/** Money: yuan with exactly two decimals, as a string so it stays exact ("6688.00"). */
export const money = z.string().regex(/^[0-9]+\.[0-9]{2}$/).meta({ description: 'yuan, exact, two decimals', examples: ['6688.00'] });
/** A moment, UTC, ISO 8601 with milliseconds. */
export const instant = z.iso.datetime();
/** A link inside the shop (a page or a picture): a path, or '' where there is none. */
export const sitePath = z.string().meta({ description: 'a path of this shop, or "" for none' });

/** The answer of writes that have nothing else to say. */
export const ok = z.strictObject({ message: z.literal('OK') });

/** A SKU in lists, hot sellers, search results and the browse history. */
export const skuSummary = z.strictObject({
  id,
  name: z.string(),
  price: money,
  default_image_url: sitePath,
  comments: count,
});
