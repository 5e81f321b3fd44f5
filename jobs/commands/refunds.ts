import type { Config } from '../../api/config.ts';
import { UsageError, args, number } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';

// `meiduo refunds …`: the refunds the payments.refund job left to a human (refund_state 'failed'),
// through the same services as the admin API (api/services/payments/refund-admin.ts). A bad argument,
// an unknown payment or one not failed exits 2 and changes nothing.

const USAGE = `usage: meiduo refunds list [--state pending|done|failed|settled] [--page N] [--page-size N] [--json]
       meiduo refunds retry PAYMENT_ID [--json]             back to the refund job: pending, tries from 0
       meiduo refunds settle PAYMENT_ID --note … [--json]   dealt with by hand (say how)`;

async function paymentId(value: string | undefined): Promise<number> {
  if (value === undefined) throw new UsageError(`which payment?\n${USAGE}`);
  return (await number('idSchema', value, 'payment id'))!;
}

export async function run(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  const admin = () => import('../../api/services/payments/refund-admin.ts');
  if (sub === 'list') {
    const { values } = args(rest, { state: { type: 'string' }, page: { type: 'string' }, 'page-size': { type: 'string' } });
    const { PAYMENT_REFUND_STATES } = await import('../../api/services/orders/order-state.ts');
    if (values.state !== undefined && !(PAYMENT_REFUND_STATES as readonly string[]).includes(values.state)) throw new UsageError(`--state is one of ${PAYMENT_REFUND_STATES.join(', ')} (got '${values.state}')`);
    const page = (await number('pageSchema', values.page, '--page')) ?? 1;
    const pageSize = (await number('pageSizeSchema', values['page-size'], '--page-size')) ?? 20;
    const { listRefunds } = await admin();
    return withDb(config, async (db) => {
      const r = await listRefunds(await cliContext(db, 'refunds list'), { state: values.state, page, page_size: pageSize });
      if (values.json) return out(true, r, '');
      console.log(`${r.count} refund(s)${values.state ? ` ${values.state}` : ''}; page ${r.page}`);
      for (const x of r.results) {
        console.log(`${x.payment_id}  order ${x.order_id}  trade ${x.trade_no}  ¥${x.amount}  ${x.refund_state} (${x.refund_state_name})  tries ${x.refund_attempts}${x.refund_error ? `  error: ${x.refund_error}` : ''}${x.refund_note ? `  note: ${x.refund_note}` : ''}`);
      }
    });
  }
  if (sub === 'retry') {
    const { values, positionals } = args(rest, {}, 1);
    const id = await paymentId(positionals[0]);
    const { retryRefund } = await admin();
    return withDb(config, async (db) => {
      const r = await retryRefund(await cliContext(db, 'refunds retry'), id);
      out(values.json, r, `refund of payment ${id} (order ${r.order_id}) is pending again: the payments.refund job tries it on its next run`);
    });
  }
  if (sub === 'settle') {
    const { values, positionals } = args(rest, { note: { type: 'string' } }, 1);
    const id = await paymentId(positionals[0]);
    if (values.note === undefined) throw new UsageError(`--note is needed: say how it was dealt with\n${USAGE}`);
    const { settleRefund } = await admin();
    return withDb(config, async (db) => {
      const r = await settleRefund(await cliContext(db, 'refunds settle'), id, values.note!);
      out(values.json, r, `refund of payment ${id} (order ${r.order_id}) settled by hand: ${r.after.refund_note}`);
    });
  }
  throw new UsageError(USAGE);
}
