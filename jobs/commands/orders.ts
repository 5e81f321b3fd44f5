import type { Config } from '../../api/config.ts';
import { UsageError, args } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';

// `meiduo orders …`: staff's moves of an order from the shell, through the same services as the
// admin API (api/services/orders/fulfilment.ts). A bad argument, an unknown order or a move its
// state does not allow exits 2 and changes nothing.

const USAGE = `usage: meiduo orders ship ORDER_ID --company 顺丰速运 --tracking SF1234567890 [--json]
       meiduo orders cancel ORDER_ID --reason 缺货 [--json]
       meiduo orders receive-due [--json]     receive orders shipped more than ORDER_AUTO_RECEIVE_DAYS ago (what the orders.auto-receive job does)`;

async function orderId(value: string | undefined): Promise<string> {
  if (value === undefined) throw new UsageError(`which order?\n${USAGE}`);
  const { ORDER_ID } = await import('../../api/services/orders/order-rules.ts');
  if (!ORDER_ID.test(value)) throw new UsageError(`an order id is 24 digits (got '${value}')`);
  return value;
}

export async function run(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === 'ship') {
    const { values, positionals } = args(rest, { company: { type: 'string' }, tracking: { type: 'string' } }, 1);
    const id = await orderId(positionals[0]);
    if (values.company === undefined || values.tracking === undefined) throw new UsageError(`--company and --tracking are needed\n${USAGE}`);
    const { shipOrder, checkShipment } = await import('../../api/services/orders/fulfilment.ts');
    const shipment = checkShipment({ expressCompany: values.company, trackingNo: values.tracking }); // before any connection
    return withDb(config, async (db) => {
      const r = await shipOrder(await cliContext(db, 'orders ship'), id, shipment);
      out(values.json, r, `order ${id} shipped: ${r.after.express_company} ${r.after.tracking_no} (待发货 → 待收货)`);
    });
  }
  if (sub === 'cancel') {
    const { values, positionals } = args(rest, { reason: { type: 'string' } }, 1);
    const id = await orderId(positionals[0]);
    if (values.reason === undefined) throw new UsageError(`--reason is needed: the customer sees it\n${USAGE}`);
    const { cancelByStaff, checkCancelReason } = await import('../../api/services/orders/fulfilment.ts');
    const reason = checkCancelReason(values.reason);
    return withDb(config, async (db) => {
      const r = await cancelByStaff(await cliContext(db, 'orders cancel'), id, reason);
      const refunds = r.refunds.length ? `; to refund: ${r.refunds.map((p) => `payment ${p.payment_id} ¥${p.amount}`).join(', ')} (the payments.refund job gives it back)` : '';
      out(values.json, r, `order ${id} cancelled: ${reason}; stock returned${refunds}`);
    });
  }
  if (sub === 'receive-due') {
    const { values } = args(rest, {});
    const { autoReceive } = await import('../../api/services/orders/fulfilment.ts');
    return withDb(config, async (db) => {
      const r = await autoReceive(await cliContext(db, 'orders receive-due'), config.orders.autoReceiveDays);
      out(values.json, { ...r, days: config.orders.autoReceiveDays }, `${r.received.length} order(s) shipped more than ${config.orders.autoReceiveDays} days ago received${r.received.length ? ': ' + r.received.join(', ') : ''}`);
    });
  }
  throw new UsageError(USAGE);
}
