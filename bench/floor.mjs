// The floor for bench/api.mjs: a bare Koa 3 + @koa/router app and one prepared statement (better-sqlite3,
// or mysql2's pool.execute for a mysql:// URL) answering GET /api/skus/{id} with the same JSON as the
// shop (same fields, same money strings, same max_per_order rule). No auth, headers, ids, metrics or
// validation: what the shop's route costs beyond this is what its checks and layers cost.
// Run as a child: node bench/floor.mjs <port> <DATABASE_URL> <maxUnitsPerSku>
import Router from '@koa/router';
import Koa from 'koa';

const [port, url, maxUnits = '20'] = process.argv.slice(2);
const cents = (v) => (typeof v === 'number' ? Math.round(v * 100) : Math.round(Number(v) * 100));
const money = (c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const MAX_PER_LINE = 99; // MAX_COUNT_PER_LINE, api/services/orders/order-rules.ts
const SQL = 'select id, spu_id, category_id, name, caption, price, market_price, stock, sales, comments, is_launched, default_image from skus where id = ?';

let find;
if (url.startsWith('mysql')) {
  const mysql = (await import('mysql2/promise')).default;
  const u = new URL(url);
  const pool = mysql.createPool({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password), database: u.pathname.slice(1), connectionLimit: 10 });
  find = async (id) => (await pool.execute(SQL, [id]))[0][0];
} else {
  const Database = (await import('better-sqlite3')).default;
  const stmt = new Database(url.slice(7), { readonly: true }).prepare(SQL);
  find = async (id) => stmt.get(id);
}

const app = new Koa();
const router = new Router();
router.get('/api/skus/:id', async (ctx) => {
  const r = await find(Number(ctx.params.id));
  if (!r) {
    ctx.status = 404;
    ctx.body = { error: { code: 'SKU_NOT_FOUND', message: '商品不存在' } };
    return;
  }
  const launched = Boolean(r.is_launched);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    id: r.id, name: r.name, price: money(cents(r.price)), default_image_url: r.default_image ?? '', comments: Number(r.comments),
    caption: r.caption, market_price: money(cents(r.market_price)), stock: r.stock, sales: r.sales, is_launched: launched,
    spu_id: r.spu_id, category_id: r.category_id, url: launched ? `/goods/${r.id}.html` : null,
    max_per_order: launched ? Math.max(0, Math.min(r.stock, MAX_PER_LINE, Number(maxUnits))) : 0,
  };
});
app.use(router.routes());
app.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => process.exit(0)); // exits normally, so --cpu-prof writes its profile
