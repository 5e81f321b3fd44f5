import type { Config } from '../../api/config.ts';
import { UsageError, args, bool, number } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';
import { waitApplied } from './wait-applied.ts';

const USAGE = `usage: meiduo sku list [--keyword …] [--spu ID] [--page N] [--page-size N]
       meiduo sku create --spu ID --category ID --name … --price 2999.00 [--market-price …] [--cost-price …] [--stock N] [--caption …] [--launched true|false] [--option SPEC_ID=OPTION_ID …]
       meiduo sku update ID [--price …] [--market-price …] [--cost-price …] [--stock N] [--name …] [--caption …] [--launched true|false] [--category ID] [--option SPEC_ID=OPTION_ID …]
       meiduo sku delete ID`;

const editor = () => import('../../api/services/catalog/catalog-editor.ts');

/** `--option 3=7 --option 4=12`: the SKU's option of each spec. */
async function options(values: string[] | undefined) {
  if (values === undefined) return undefined;
  const out: { spec_id: number; option_id: number }[] = [];
  for (const v of values) {
    const m = /^([^=]*)=(.*)$/.exec(v);
    if (!m) throw new UsageError(`--option must be SPEC_ID=OPTION_ID (got '${v}')`);
    out.push({ spec_id: (await number('idSchema', m[1], '--option spec id'))!, option_id: (await number('idSchema', m[2], '--option option id'))! });
  }
  return out;
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const FIELDS = {
  price: { type: 'string' }, 'market-price': { type: 'string' }, 'cost-price': { type: 'string' }, stock: { type: 'string' },
  name: { type: 'string' }, caption: { type: 'string' }, launched: { type: 'string' }, category: { type: 'string' },
  option: { type: 'string', multiple: true }, wait: { type: 'boolean' },
} as const;

async function fieldsOf(values: { [K in keyof typeof FIELDS]?: any }) {
  return defined({
    name: values.name, caption: values.caption, price: values.price, market_price: values['market-price'], cost_price: values['cost-price'],
    stock: await number('stockSchema', values.stock, '--stock'), is_launched: bool(values.launched, '--launched'),
    category_id: await number('idSchema', values.category, '--category'), specs: await options(values.option),
  });
}

/** `meiduo sku list|create|update|delete …`: the admin API's SKU operations (the same catalog editor). */
export async function run(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const { values } = args(rest, { keyword: { type: 'string' }, spu: { type: 'string' }, page: { type: 'string' }, 'page-size': { type: 'string' } });
    const { listSkus } = await import('../../api/services/catalog/admin-reads.ts');
    const query = defined({
      keyword: values.keyword, spu_id: await number('idSchema', values.spu, '--spu'),
      page: await number('idSchema', values.page, '--page'), page_size: await number('idSchema', values['page-size'], '--page-size'),
    });
    const page = await withDb(config, async (db) => listSkus(await cliContext(db, 'sku list'), query));
    if (values.json) return console.log(JSON.stringify(page));
    for (const s of page.results) console.log(`${String(s.id).padStart(6)}  ¥${s.price.padStart(10)}  stock ${String(s.stock).padStart(5)}  ${s.is_launched ? 'on ' : 'off'}  ${s.name}`);
    console.log(`${page.count} SKU(s)`);
    return;
  }
  if (sub === 'create') {
    const { values } = args(rest, { ...FIELDS, spu: { type: 'string' } });
    const input = { spu_id: await number('idSchema', values.spu, '--spu'), ...(await fieldsOf(values)) };
    const { createSku } = await editor();
    return withDb(config, async (db) => {
      const r = await createSku(await cliContext(db, 'sku create'), input);
      if (values.wait) await waitApplied(config, db, r.change_id, values.json);
      out(values.json, r, `SKU ${r.id} created: ${r.name} ¥${r.price}; ${r.pages.length} page(s) ${values.wait ? 'live' : 'to be re-rendered by a worker'}`);
    });
  }
  if (sub === 'delete') {
    const { values, positionals } = args(rest, { wait: { type: 'boolean' } }, 1);
    const id = await number('idSchema', positionals[0], 'SKU id');
    if (id === undefined) throw new UsageError('which SKU? meiduo sku delete ID');
    const { deleteSku } = await editor();
    return withDb(config, async (db) => {
      const r = await deleteSku(await cliContext(db, 'sku delete'), id);
      if (values.wait) await waitApplied(config, db, r.change_id, values.json);
      out(values.json, r, `SKU ${id} deleted; ${r.pages.length} page(s) ${values.wait ? 'live' : 'to be re-rendered by a worker'}`);
    });
  }
  if (sub !== 'update') throw new UsageError(USAGE);
  const { values, positionals } = args(rest, FIELDS, 1);
  if (positionals[0] === undefined) throw new UsageError('which SKU? meiduo sku update ID …');
  const id = (await number('idSchema', positionals[0], 'SKU id'))!;
  const patch = await fieldsOf(values);
  const { editSku } = await editor();
  await withDb(config, async (db) => {
    const r = await editSku(await cliContext(db, 'sku update'), id, patch);
    const summary = { id: r.id, name: r.name, price: r.price, stock: r.stock, is_launched: r.is_launched, changeId: r.change_id, pages: r.pages };
    if (values.wait) await waitApplied(config, db, r.change_id, values.json);
    out(values.json, summary, `SKU ${r.id} updated: ${r.name} ¥${r.price}, stock ${r.stock}, ${r.is_launched ? 'launched' : 'not launched'}${values.wait ? '; pages and search index are live' : '; pages will be re-rendered by a worker'}`);
  });
}
