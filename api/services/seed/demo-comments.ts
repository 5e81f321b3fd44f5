import { beijingCompact } from '../../beijing-time.ts';
import { formatCents, parseMoney } from '../../money.ts';
import { FREIGHT_CENTS, ORDER_STATUS, PAY_METHOD } from '../orders/order-rules.ts';

// The demo catalog's comments are real rows, not just numbers: a SKU that says 累计评价 n has n
// commented order lines behind it (GET /api/skus/{id}/comments reads them), each from a finished
// order of one of a few demo shoppers. The seed writes exactly `comments` lines per SKU and sets the
// counters from the same number, so the counter and the list can never disagree after a seed.
//
// The demo shoppers cannot log in (their password hash is unreadable, and they are inactive): they
// exist to have bought and commented. Their mobiles are in a range no real registration uses here.

type Row = Record<string, unknown>;

export const DEMO_SHOPPERS = [
  'xiaolin_2017', 'chenmo88', 'tangtang_mama', 'wuyifan_fan', 'laozhang666', 'sunny_liu', 'zhou_jie', 'qingfeng01',
] as const;

/** The most comments a demo SKU can have: one per demo shopper (one order each). */
export const MAX_DEMO_COMMENTS = DEMO_SHOPPERS.length;

const TEXTS = [
  '物流很快，第二天就到了，包装完好，东西和描述一致。',
  '质量不错，做工精细，用了一个星期没发现问题，好评！',
  '性价比很高，活动价入手很划算，推荐购买。',
  '颜色很正，手感好，家里人都说好看。',
  '客服态度很好，有问必答，发货也及时。',
  '第二次购买了，一如既往的好，值得信赖。',
  '包装很严实，正品无疑，会继续支持美多商城。',
  '用起来很顺手，比之前那个好太多了。',
  '送给父母的，他们很喜欢，操作简单。',
  '总体满意，就是快递稍微慢了一点，东西没毛病。',
  '外观大气，细节处理到位，超出预期。',
  '价格实惠，功能齐全，日常使用完全够了。',
];

export interface CommentedSku {
  id: number;
  name: string;
  price: string;
  image: string;
  comments: number;
}

/** Rows for users, orders and order_lines behind every SKU's `comments` count. */
export function demoCommentRows(skus: CommentedSku[], base: number) {
  const users: Row[] = DEMO_SHOPPERS.map((username, i) => ({
    id: i + 1,
    username,
    password_hash: '!', // verifyPassword() reads no such hash: these accounts cannot log in
    mobile: `199000000${String(i + 1).padStart(2, '0')}`,
    email: null,
    email_active: false,
    is_active: false,
    created_at: base,
    updated_at: base,
  }));
  const orders: Row[] = [];
  const lines: Row[] = [];
  let n = 0;
  for (const sku of skus) {
    if (sku.comments > MAX_DEMO_COMMENTS) {
      throw new Error(`demo catalog: ${sku.name} claims ${sku.comments} comments; at most ${MAX_DEMO_COMMENTS} (one per demo shopper)`);
    }
    for (let k = 0; k < sku.comments; k++) {
      n++;
      const user = (sku.id + k) % DEMO_SHOPPERS.length;
      const placed = base + n * 3_600_000;
      const commentedAt = placed + 5 * 86_400_000;
      const orderId = beijingCompact(placed) + String(n).padStart(10, '0');
      orders.push({
        order_id: orderId, user_id: user + 1, idempotency_key: null, request_hash: null, address_id: null,
        receiver: DEMO_SHOPPERS[user], province: '北京市', city: '北京市', district: '海淀区', place: '中关村大街1号',
        mobile: users[user]!.mobile, tel: null, email: null, total_count: 1,
        total_amount: sku.price, freight: formatCents(FREIGHT_CENTS), payment_amount: formatCents(parseMoney(sku.price)! + FREIGHT_CENTS),
        pay_method: PAY_METHOD.alipay, status: ORDER_STATUS.finished,
        created_at: placed, updated_at: commentedAt, pay_deadline: null,
      });
      lines.push({
        id: n, order_id: orderId, sku_id: sku.id, name: sku.name, default_image_url: sku.image, count: 1, price: sku.price,
        comment: TEXTS[(sku.id * 7 + k) % TEXTS.length], score: (sku.id + k) % 5 === 0 ? 4 : 5,
        is_anonymous: k % 3 === 2, is_commented: true, commented_at: commentedAt,
      });
    }
  }
  return { users, orders, lines };
}
