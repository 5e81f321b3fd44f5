import { cartAddSchema, cartDeleteSchema, cartPutSchema, cartSelectionSchema } from '../services/cart/cart-schema.ts';
import { defineRoute } from './define.ts';
import * as answer from './answers/orders.ts';

// The shopping cart (api/services/cart): public, because a guest has one too — in the signed
// `meiduo_cart` cookie; a logged-in caller's is kept on the server. The service tells them apart by
// the request's actor. No route declares `transaction: true`: on SQLite the one connection would be
// held by it while the store opens its own.

export const cartRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/cart',
    response: answer.cartItems,
    auth: 'public',
    summary: 'The caller’s cart (guest: the meiduo_cart cookie) in the order added, each line with its stock, max and stock_state (off-sale lines included, unselected)',
    handler: async ({ context, services, cookies }) => services.cart.list(context, cookies),
  }),
  defineRoute({
    method: 'post',
    path: '/api/cart',
    response: answer.cartLine,
    examples: { body: { sku_id: 1, count: 2 }, response: { sku_id: 1, count: 2, selected: true } },
    auth: 'public',
    summary: 'Add a SKU (adds to its count; at most max_per_order = min(stock, 99, ORDER_MAX_UNITS_PER_SKU) per SKU, 50 SKUs per cart)',
    body: cartAddSchema,
    statusCode: 201,
    handler: async ({ body, context, services, cookies }) => services.cart.add(context, cookies, body),
  }),
  defineRoute({
    method: 'put',
    path: '/api/cart',
    response: answer.cartLine,
    auth: 'public',
    summary: 'Set a SKU’s count and whether it is selected (raising past max_per_order is refused naming it; lowering is always accepted)',
    body: cartPutSchema,
    handler: async ({ body, context, services, cookies }) => services.cart.update(context, cookies, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/cart',
    auth: 'public',
    summary: 'Remove a SKU from the cart',
    body: cartDeleteSchema,
    statusCode: 204,
    handler: async ({ body, context, services, cookies }) => {
      await services.cart.remove(context, cookies, body);
      return undefined;
    },
  }),
  defineRoute({
    method: 'put',
    path: '/api/cart/selection',
    response: answer.cartSelection,
    auth: 'public',
    summary: 'Select every line of the cart, or none',
    body: cartSelectionSchema,
    handler: async ({ body, context, services, cookies }) => services.cart.selectAll(context, cookies, body),
  }),
];
