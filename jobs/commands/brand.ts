import type { Config } from '../../api/config.ts';
import { UsageError, args, number } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';

const USAGE = `usage: meiduo brand list [--keyword …] [--page N]
       meiduo brand create --name … --letter X [--aliases 'a,b']
       meiduo brand update ID [--name …] [--letter X] [--aliases 'a,b']
       meiduo brand delete ID`;

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** `--aliases 'Apple,苹果'` (an empty string clears them), as the brands.aliases column keeps them. */
async function aliasList(value: string | undefined) {
  if (value === undefined) return undefined;
  const { parseAliases } = await import('../../api/services/search/brand-aliases.ts');
  return parseAliases(value);
}

/** `meiduo brand list|create|update|delete …`: the admin API's brand operations (the same catalog editor). */
export async function run(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  const editor = () => import('../../api/services/catalog/catalog-editor.ts');
  if (sub === 'list') {
    const { values } = args(rest, { keyword: { type: 'string' }, page: { type: 'string' } });
    const { listBrands } = await import('../../api/services/catalog/admin-reads.ts');
    const query = defined({ keyword: values.keyword, page: await number('idSchema', values.page, '--page'), page_size: 100 });
    const page = await withDb(config, async (db) => listBrands(await cliContext(db, 'brand list'), query));
    if (values.json) return console.log(JSON.stringify(page));
    for (const b of page.results) console.log(`${String(b.id).padStart(4)}  ${b.first_letter}  ${b.name}${b.aliases.length ? `  (${b.aliases.join(', ')})` : ''}`);
    console.log(`${page.count} brand(s)`);
    return;
  }
  const fields = { name: { type: 'string' }, letter: { type: 'string' }, aliases: { type: 'string' } } as const;
  if (sub === 'create') {
    const { values } = args(rest, fields);
    const input = defined({ name: values.name, first_letter: values.letter, aliases: await aliasList(values.aliases) });
    const { createBrand } = await editor();
    return withDb(config, async (db) => {
      const r = await createBrand(await cliContext(db, 'brand create'), input);
      out(values.json, r, `brand ${r.id} created: ${r.name} (${r.first_letter})`);
    });
  }
  const { values, positionals } = args(rest, sub === 'update' ? fields : {}, 1);
  const id = await number('idSchema', positionals[0], 'brand id');
  if (sub === 'update' && id !== undefined) {
    const v = values as { name?: string; letter?: string; aliases?: string; json?: boolean };
    const patch = defined({ name: v.name, first_letter: v.letter, aliases: await aliasList(v.aliases) });
    const { editBrand } = await editor();
    return withDb(config, async (db) => {
      const r = await editBrand(await cliContext(db, 'brand update'), id, patch);
      out(values.json, r, `brand ${r.id} updated: ${r.name} (${r.first_letter}); ${r.pages.length} page(s) to be re-rendered by a worker`);
    });
  }
  if (sub === 'delete' && id !== undefined) {
    const { deleteBrand } = await editor();
    return withDb(config, async (db) => {
      const r = await deleteBrand(await cliContext(db, 'brand delete'), id);
      out(values.json, r, `brand ${id} deleted`);
    });
  }
  throw new UsageError(USAGE);
}
