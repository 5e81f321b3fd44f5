import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// What the shop counts, for Prometheus (docs/metrics.md). One registry per services instance — never
// prom-client's global one — so the many apps a test process starts never collide. Every label is
// from a closed set (a route's template, a job's name, an outcome), never a raw URL or an id: the
// number of series stays bounded whatever clients send. Counting is cheap (a Map lookup and an add
// per request); the costly parts — the backlog COUNTs, Node's process metrics — run on a scrape.

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export type JobOutcome = 'ok' | 'failed';

/** Where a page's reads may be reused: the catalog's micro-cache, the static file cache, session and profile caches. */
export type CacheName = 'catalog' | 'static_files' | 'session' | 'admin_session' | 'profile';

export class ShopMetrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  private readonly jobDuration: Histogram<'job' | 'outcome'>;
  private readonly orderCommits: Counter<'pay_method'>;
  private readonly payments: Counter<'source' | 'outcome'>;
  private readonly refunds: Counter<'outcome'>;
  private readonly cacheLookups: Counter<'cache' | 'result'>;
  /** Children by "route method status": the request path pays no label hashing after the first time. */
  private readonly requestSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
  private defaultsOn = false;

  constructor() {
    const registers = [this.registry];
    this.httpRequests = new Counter({ name: 'meiduo_http_requests_total', help: 'HTTP requests answered, by route template, method and status', labelNames: ['route', 'method', 'status'], registers });
    this.httpDuration = new Histogram({
      name: 'meiduo_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (until the body is handed to Node), by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.jobRuns = new Counter({ name: 'meiduo_job_runs_total', help: 'Job runs in this process, by job name and outcome (ok, failed)', labelNames: ['job', 'outcome'], registers });
    this.jobDuration = new Histogram({
      name: 'meiduo_job_duration_seconds',
      help: 'How long job runs took, by job name and outcome',
      labelNames: ['job', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    });
    this.orderCommits = new Counter({ name: 'meiduo_order_commits_total', help: 'Orders committed (created), by payment method (alipay, cash: 货到付款)', labelNames: ['pay_method'], registers });
    this.payments = new Counter({
      name: 'meiduo_payment_outcomes_total',
      help: 'Alipay callbacks and queries, by source (notify, return, query) and outcome (settled, refund, replay, ignored, unpaid, refused)',
      labelNames: ['source', 'outcome'],
      registers,
    });
    this.refunds = new Counter({ name: 'meiduo_refunds_total', help: 'Refund attempts of the payments.refund job, by outcome (refunded, failed, retrying)', labelNames: ['outcome'], registers });
    this.cacheLookups = new Counter({ name: 'meiduo_cache_lookups_total', help: 'Cache lookups, by cache and result (hit, miss)', labelNames: ['cache', 'result'], registers });
  }

  /** Process metrics (CPU, memory, event loop lag, GC) from prom-client; only where /metrics is served. */
  collectProcessMetrics(): void {
    if (this.defaultsOn) return;
    this.defaultsOn = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The page and search backlogs, counted in the database on each scrape. */
  watchBacklogs(db: Knex): void {
    const registers = [this.registry];
    const count = async (table: string): Promise<number | null> => {
      try {
        return Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
      } catch {
        return null; // the database is down: the series keeps its last value (GET /api/health/ready says why)
      }
    };
    const backlogs = [
      ['meiduo_page_changes_pending', 'Catalog changes whose pages are not rebuilt yet (page_changes rows)', 'page_changes'],
      ['meiduo_search_requests_pending', 'Search index publishes waiting for the search.rebuild job (search_requests rows)', 'search_requests'],
    ] as const;
    for (const [name, help, table] of backlogs) {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const n = await count(table);
          if (n !== null) this.set(n);
        },
      });
    }
  }

  /** One HTTP answer. `route` is a route's template (/api/skus/:id), 'static' or 'unmatched'. */
  request(route: string, method: string, status: number, seconds: number): void {
    const m = METHODS.has(method) ? method : 'other';
    const key = `${route} ${m} ${status}`;
    let s = this.requestSeries.get(key);
    if (!s) {
      const labels = { route, method: m, status: String(status) };
      s = { count: this.httpRequests.labels(labels), duration: this.httpDuration.labels(labels) };
      this.requestSeries.set(key, s);
    }
    s.count.inc();
    s.duration.observe(seconds);
  }

  job(name: string, outcome: JobOutcome, seconds: number): void {
    this.jobRuns.inc({ job: name, outcome });
    this.jobDuration.observe({ job: name, outcome }, seconds);
  }

  orderCommitted(payMethod: 'alipay' | 'cash'): void {
    this.orderCommits.inc({ pay_method: payMethod });
  }

  payment(source: 'notify' | 'return' | 'query', outcome: string): void {
    this.payments.inc({ source, outcome });
  }

  refundRun(run: { refunded: number; failed: number; retrying: number }): void {
    if (run.refunded) this.refunds.inc({ outcome: 'refunded' }, run.refunded);
    if (run.failed) this.refunds.inc({ outcome: 'failed' }, run.failed);
    if (run.retrying) this.refunds.inc({ outcome: 'retrying' }, run.retrying);
  }

  cacheLookup(cache: CacheName, hit: boolean): void {
    this.cacheLookups.inc({ cache, result: hit ? 'hit' : 'miss' });
  }

  /** The text a scrape gets. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** A bearer token presented in `Authorization`, compared with `token` in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  // hashes of equal length: timingSafeEqual needs that, and the length of the token does not leak
  const a = crypto.createHash('sha256').update(m[1]!).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}
