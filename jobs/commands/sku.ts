import type { Config } from '../../api/config.ts';
import { UsageError, args, bool, number } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';
import { waitApplied } from './wait-applied.ts';

/** `meiduo sku update ID [--price …] [--market-price …] [--stock N] [--name …] [--caption …] [--launched true|false] [--wait] [--json]` */
export async function run(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub !== 'update') throw new UsageError("usage: meiduo sku update ID [--price …] [--stock …] [--name …] [--caption …] [--launched true|false]");
  const { values, positionals } = args(rest, {
    price: { type: 'string' }, 'market-price': { type: 'string' }, 'cost-price': { type: 'string' }, stock: { type: 'string' },
    name: { type: 'string' }, caption: { type: 'string' }, launched: { type: 'string' }, wait: { type: 'boolean' },
  }, 1);
  if (positionals[0] === undefined) throw new UsageError('which SKU? meiduo sku update ID …');
  const id = (await number('idSchema', positionals[0], 'SKU id'))!;
  const patch = Object.fromEntries(Object.entries({
    price: values.price, marketPrice: values['market-price'], costPrice: values['cost-price'],
    stock: await number('stockSchema', values.stock, '--stock'), name: values.name, caption: values.caption, isLaunched: bool(values.launched, '--launched'),
  }).filter(([, v]) => v !== undefined));
  const { updateSku } = await import('../../api/services/catalog/catalog-editor.ts');
  const { formatCents } = await import('../../api/money.ts');
  await withDb(config, async (db) => {
    const r = await updateSku(await cliContext(db, 'sku update'), id, patch);
    const a = r.after;
    const summary = { id: a.id, name: a.name, price: formatCents(a.priceCents), stock: a.stock, is_launched: a.isLaunched, changeId: r.changeId };
    if (values.wait) await waitApplied(config, db, r.changeId, values.json);
    out(values.json, summary, `SKU ${a.id} updated: ${a.name} ¥${summary.price}, stock ${a.stock}, ${a.isLaunched ? 'launched' : 'not launched'}${values.wait ? '; pages and search index are live' : '; pages will be re-rendered by a worker'}`);
  });
}
