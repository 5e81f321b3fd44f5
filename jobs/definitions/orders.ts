import { autoReceive } from '../../api/services/orders/fulfilment.ts';
import { planHotPages } from '../../api/services/orders/hot-pages.ts';
import { JOB } from './names.ts';
import type { JobEnv, JobGroup, WorkerServices } from './types.ts';

// Orders: unpaid Alipay orders are cancelled (their stock returned), shipped orders the customer
// never confirmed are received ORDER_AUTO_RECEIVE_DAYS after shipping, and the sales that orders
// move become page changes for the hot-seller boxes.

/** How often unpaid orders are looked for (never less often than ORDER_PAY_TIMEOUT). */
const EXPIRE_EVERY_MS = 15_000;
/** How often shipped orders due to be received are looked for (days late by at most this). */
const AUTO_RECEIVE_EVERY_MS = 5 * 60_000;

export function orderJobs(env: JobEnv, services: WorkerServices): JobGroup {
  // with Alipay, an order is asked about once more before it is cancelled
  const payments = services.providers.alipay ? services.payments : null;
  return {
    jobs: [
      {
        name: JOB.expireOrders,
        everyMs: Math.min(EXPIRE_EVERY_MS, env.config.orders.payTimeoutMs),
        // each cancel is a conditional UPDATE: two workers never return an order's stock twice
        async run() {
          const context = services.systemContext(JOB.expireOrders);
          const lastChance = payments
            ? (orderId: string) =>
                payments.settleByQuery(context, orderId).then(
                  () => true,
                  (err: unknown) => {
                    env.log.warn({ err, orderId }, 'could not ask Alipay about an expiring order: it stays unpaid until the next run');
                    return false;
                  },
                )
            : undefined;
          const n = await services.orders.cancelExpired(context, lastChance);
          if (n > 0) env.log.info({ cancelled: n }, 'unpaid orders cancelled, stock returned');
        },
      },
      {
        name: JOB.autoReceive,
        everyMs: AUTO_RECEIVE_EVERY_MS,
        // each receipt is a conditional UPDATE (… AND status = 3): a customer confirming the same
        // order at once, or a second worker, makes one of them a no-op
        async run() {
          const { received } = await autoReceive(services.systemContext(JOB.autoReceive), env.config.orders.autoReceiveDays);
          if (received.length > 0) env.log.info({ received: received.length }, 'shipped orders received automatically');
        },
      },
      {
        name: JOB.hotPages,
        everyMs: env.config.orders.hotRebuildEveryMs,
        async run() {
          const n = await planHotPages(services.systemContext(JOB.hotPages));
          if (n > 0) env.log.info({ skus: n }, 'hot pages planned from sales');
        },
      },
    ],
  };
}
