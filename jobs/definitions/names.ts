// Every job's name, '<domain>.<what>', in one place. Plain constants, so a command that only reads
// the job store (`meiduo jobs`, the CLI's --wait) can name a job without loading Agenda.

export const JOB = {
  /** Applies the page_changes outbox: re-renders affected pages, full builds (catalog.ts). */
  rebuildPages: 'pages.rebuild',
  /** Publishes a new search index when search_requests has rows (catalog.ts). */
  rebuildSearch: 'search.rebuild',
  /** Sends due SMS and mails of the outgoing_messages outbox (messages.ts). */
  sendMessages: 'messages.send',
  /** Cancels Alipay orders unpaid past ORDER_PAY_TIMEOUT, returning their stock (orders.ts). */
  expireOrders: 'orders.expire',
  /** Receives orders shipped more than ORDER_AUTO_RECEIVE_DAYS ago that the customer has not confirmed (orders.ts). */
  autoReceive: 'orders.auto-receive',
  /** Turns the sales moves of orders into page changes for the hot pages, every HOT_REBUILD_EVERY (orders.ts). */
  hotPages: 'orders.hot-pages',
  /** Gives back payments recorded for refund: their order was cancelled or already paid (payments.ts). */
  refunds: 'payments.refund',
  /** Moves the SKU page-view counters from the cache into sku_category_views (statistics.ts). */
  flushViews: 'statistics.flush-views',
  /** Counts the sales of closed days per SKU into sku_sales_days, for the best sellers (statistics.ts). */
  salesRollup: 'statistics.sales-rollup',
} as const;

export type JobName = (typeof JOB)[keyof typeof JOB];
