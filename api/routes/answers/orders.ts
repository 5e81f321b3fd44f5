import { z } from 'zod';
import { LOW_STOCK, STOCK_STATES } from '../../services/cart/stock-state.ts';
import { ORDER_ID, ORDER_STATUS, PAY_METHOD } from '../../services/orders/order-rules.ts';
import { address } from './addresses.ts';
import { count, id, instant, money, sitePath } from './common.ts';

// Answers of the cart, order, comment and payment routes (api/services/cart, orders, payments).

const orderId = z.string().regex(ORDER_ID);
const status = z.literal(Object.values(ORDER_STATUS)).meta({ description: '1 待支付, 2 待发货, 3 待收货, 4 待评价, 5 已完成, 6 已取消' });
const payMethod = z.literal([PAY_METHOD.cash, PAY_METHOD.alipay]).meta({ description: '1 货到付款, 2 支付宝' });

export const cartItems = z.array(
  z.strictObject({
    id,
    name: z.string(),
    default_image_url: sitePath,
    price: money,
    count: z.int().min(1),
    selected: z.boolean().meta({ description: 'always false for an off-sale line: checkout skips it' }),
    stock: count.meta({ description: 'the stock now; 0 when off sale' }),
    max: count.meta({ description: 'the most this line may be raised to: min(stock, 99, ORDER_MAX_UNITS_PER_SKU); 0 when off sale. Lowering is always accepted' }),
    stock_state: z.enum(STOCK_STATES).meta({ description: `ok; low: stock below ${LOW_STOCK} (仅剩 N 件); short: count > max (库存不足, 改为 max); off_sale: 已下架, only removable` }),
  }),
);
export const cartLine = z.strictObject({ sku_id: id, count: z.int().min(1), selected: z.boolean() });
export const cartSelection = z.strictObject({ selected: z.boolean() });

export const settlement = z.strictObject({
  addresses: z.array(address),
  default_address_id: id.nullable(),
  skus: z.array(
    z.strictObject({ id, name: z.string(), default_image_url: z.string().nullable(), price: money, count: z.int().min(1), amount: money, stock: count }),
  ),
  total_count: count,
  total_amount: money,
  freight: money,
  payment_amount: money,
});

export const orderPlaced = z.strictObject({
  order_id: orderId,
  cart_cleared: z.boolean().meta({ description: 'false: the order stands, but its lines could not be taken out of the cart' }),
});

const orderLine = z.strictObject({
  sku_id: id,
  name: z.string(),
  default_image_url: z.string().nullable(),
  price: money,
  count: z.int().min(1),
  amount: money,
  comment: z.string().nullable(),
  score: z.int().min(0).max(5).nullable(),
  is_anonymous: z.boolean(),
  is_commented: z.boolean(),
});

export const order = z.strictObject({
  order_id: orderId,
  created_at: instant,
  status,
  status_name: z.string(),
  pay_method: payMethod,
  pay_method_name: z.string(),
  total_count: count,
  total_amount: money,
  freight: money,
  payment_amount: money,
  pay_deadline: instant.nullable().meta({ description: 'an unpaid Alipay order is cancelled after this' }),
  refund_state: z.enum(['pending', 'done', 'failed']).nullable().meta({ description: 'the refund of a cancelled paid order: pending 退款中, done 已退款, failed (a human must act); null: none' }),
  actions: z.array(z.enum(['pay', 'cancel', 'receive', 'comment', 'reorder'])).meta({ description: 'what the customer may do with the order now (receive: 确认收货, in 待收货)' }),
  timeline: z
    .array(
      z.strictObject({
        event: z.enum(['placed', 'paid', 'shipped', 'received', 'commented', 'canceled', 'refunded']),
        name: z.string(),
        at: instant,
        detail: z.string().nullable().meta({ description: 'shipped: the carrier and tracking number; canceled: by whom and why (商家取消：…); else null' }),
      }),
    )
    .meta({ description: 'what happened to the order, oldest first' }),
  express_company: z.string().nullable().meta({ description: 'the carrier, once shipped; null before' }),
  tracking_no: z.string().nullable().meta({ description: 'the tracking number, once shipped; null before' }),
  address: z.strictObject({
    receiver: z.string(),
    province: z.string(),
    city: z.string(),
    district: z.string(),
    place: z.string(),
    mobile: z.string(),
    tel: z.string().nullable(),
    email: z.string().nullable(),
  }),
  skus: z.array(orderLine),
});

export const orderCounts = z
  .strictObject({ all: count, 1: count, 2: count, 3: count, 4: count, 5: count, 6: count })
  .meta({ description: 'orders per status (1 待支付 … 6 已取消), and all of them' });

export const reordered = z.strictObject({
  added: z.array(z.strictObject({ sku_id: id, name: z.string(), count: z.int().min(1) })),
  skipped: z.array(z.strictObject({ sku_id: id, name: z.string(), reason: z.string() })),
});

export const orderPage = z.strictObject({ count, page: z.int().min(1), page_size: z.int().min(1), results: z.array(order) });

export const uncommented = z.array(z.strictObject({ sku_id: id, name: z.string(), default_image_url: z.string().nullable(), price: money, count: z.int().min(1) }));

export const commented = z.strictObject({ order_id: orderId, sku_id: id, order_status: z.literal([ORDER_STATUS.uncommented, ORDER_STATUS.finished]) });

export const skuComments = z.strictObject({
  count,
  results: z.array(
    z.strictObject({
      username: z.string().meta({ description: 'masked (u***r) when anonymous' }),
      comment: z.string(),
      score: z.int().min(0).max(5),
      is_anonymous: z.boolean(),
      created_at: instant,
    }),
  ),
});

export const paymentUrl = z.strictObject({ alipay_url: z.url() });
export const paymentReturn = z.strictObject({ order_id: orderId, trade_no: z.string(), status });
