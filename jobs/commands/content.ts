import type { Config } from '../../api/config.ts';
import { UsageError, args, bool, number } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';
import { waitApplied } from './wait-applied.ts';

/** `meiduo content list [--json]`, `content create --slot ID --title …`, `content delete ID` and `meiduo content update ID [--title …] [--url …] [--text …] [--sequence N] [--status on|off] [--sku ID|none] [--wait] [--json]` */
export async function run(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  const editor = () => import('../../api/services/catalog/catalog-editor.ts');
  if (sub === 'list') {
    const { values } = args(rest, {});
    const { listContents } = await editor();
    const rows = await withDb(config, async (db) => listContents(await cliContext(db, 'content list')));
    if (values.json) return console.log(JSON.stringify(rows));
    for (const r of rows) console.log(`${String(r.id).padStart(4)}  ${r.key.padEnd(16)} ${r.status ? 'on ' : 'off'}  #${r.sequence}  ${r.title}${r.skuId ? `  (SKU ${r.skuId})` : ''}  ${r.url}`);
    return;
  }
  if (sub === 'create') {
    const { values } = args(rest, {
      slot: { type: 'string' }, title: { type: 'string' }, url: { type: 'string' }, text: { type: 'string' }, sequence: { type: 'string' },
      status: { type: 'string' }, sku: { type: 'string' }, wait: { type: 'boolean' },
    });
    const input = Object.fromEntries(Object.entries({
      category_id: await number('idSchema', values.slot, '--slot'), title: values.title, url: values.url, text: values.text,
      sequence: await number('sequenceSchema', values.sequence, '--sequence'), status: bool(values.status, '--status', ['on', 'true'], ['off', 'false']),
      sku_id: values.sku === undefined || values.sku === 'none' ? undefined : await number('idSchema', values.sku, '--sku'),
    }).filter(([, v]) => v !== undefined));
    const { createContent } = await editor();
    return withDb(config, async (db) => {
      const r = await createContent(await cliContext(db, 'content create'), input);
      if (values.wait) await waitApplied(config, db, r.change_id, values.json);
      out(values.json, r, `content ${r.id} created in ${r.category}; the homepage ${values.wait ? 'is live' : 'will be re-rendered by a worker'}`);
    });
  }
  if (sub === 'delete') {
    const { values, positionals } = args(rest, { wait: { type: 'boolean' } }, 1);
    const id = await number('idSchema', positionals[0], 'content id');
    if (id === undefined) throw new UsageError('which content item? meiduo content delete ID');
    const { deleteContent } = await editor();
    return withDb(config, async (db) => {
      const r = await deleteContent(await cliContext(db, 'content delete'), id);
      if (values.wait) await waitApplied(config, db, r.change_id, values.json);
      out(values.json, r, `content ${id} deleted; the homepage ${values.wait ? 'is live' : 'will be re-rendered by a worker'}`);
    });
  }
  if (sub !== 'update') throw new UsageError('usage: meiduo content list | content create --slot ID --title … [--url …] [--text …] [--sequence N] [--status on|off] [--sku ID] | content update ID [--title …] [--url …] [--text …] [--sequence N] [--status on|off] [--sku ID|none] | content delete ID');
  const { values, positionals } = args(rest, {
    title: { type: 'string' }, url: { type: 'string' }, text: { type: 'string' }, sequence: { type: 'string' },
    status: { type: 'string' }, sku: { type: 'string' }, wait: { type: 'boolean' },
  }, 1);
  if (positionals[0] === undefined) throw new UsageError('which content item? meiduo content update ID …');
  const id = (await number('idSchema', positionals[0], 'content id'))!;
  const patch = Object.fromEntries(Object.entries({
    title: values.title, url: values.url, text: values.text, sequence: await number('sequenceSchema', values.sequence, '--sequence'),
    status: bool(values.status, '--status', ['on', 'true'], ['off', 'false']),
    skuId: values.sku === undefined ? undefined : values.sku === 'none' ? null : await number('idSchema', values.sku, '--sku'),
  }).filter(([, v]) => v !== undefined));
  const { updateContent } = await editor();
  await withDb(config, async (db) => {
    const r = await updateContent(await cliContext(db, 'content update'), id, patch);
    if (values.wait) await waitApplied(config, db, r.changeId, values.json);
    out(values.json, { ...r.content, changeId: r.changeId }, `content ${id} updated; the homepage ${values.wait ? 'is live' : 'will be re-rendered by a worker'}`);
  });
}
