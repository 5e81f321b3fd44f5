// The admin API's order as staff see it (api/routes/answers/order-admin.ts staffOrder).

export interface StaffOrder {
  order_id: string;
  created_at: string;
  status: number;
  status_name: string;
  pay_method_name: string;
  total_count: number;
  total_amount: string;
  freight: string;
  payment_amount: string;
  refund_state: 'pending' | 'done' | 'failed' | null;
  timeline: { event: string; name: string; at: string; detail: string | null }[];
  express_company: string | null;
  tracking_no: string | null;
  address: { receiver: string; province: string; city: string; district: string; place: string; mobile: string; tel: string | null; email: string | null };
  skus: { sku_id: number; name: string; price: string; count: number; amount: string }[];
  customer: { id: number; username: string; mobile: string | null };
  payments: { id: number; trade_no: string; amount: string; outcome: 'settled' | 'refund'; refund_state: string | null; created_at: string }[];
  staff_actions: ('ship' | 'cancel')[];
}

export const REFUND_STATES: Record<string, string> = { pending: '退款中', done: '已退款', failed: '退款失败', settled: '已人工处理' };
