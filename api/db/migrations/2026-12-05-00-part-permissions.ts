import type { Knex } from 'knex';

// Spec options, channel groups and content categories have permissions of their own in the catalog
// (goods.*_spec_option, goods.*_channel_group, contents.*_content_category) since the staff migration,
// but their routes asked for their parent's (goods.*_spec, goods.*_channel, contents.*_content): a
// grant of the part's permission did nothing, and the parent's gave the part too. The routes now ask
// for the part's own (docs/admin.md, "a permission per model and action"); so that nobody loses what
// they could do, every group and staff member holding a parent's permission is given the part's
// permission of the same action.
export const PART_OF: readonly [part: string, parent: string][] = [
  ['goods.%_spec_option', 'goods.%_spec'],
  ['goods.%_channel_group', 'goods.%_channel'],
  ['contents.%_content_category', 'contents.%_content'],
];
const ACTIONS = ['view', 'add', 'change', 'delete'] as const;

/** [part codename, parent codename] for every action. */
const pairs = () => PART_OF.flatMap(([part, parent]) => ACTIONS.map((a) => [part.replace('%', a), parent.replace('%', a)] as const));

async function idsOf(knex: Knex): Promise<Map<string, number>> {
  const rows: { id: number; codename: string }[] = await knex('admin_permissions').select('id', 'codename');
  return new Map(rows.map((r) => [r.codename, Number(r.id)]));
}

/**
 * For every part/parent pair the catalog has, and each grant table (groups', staff members' own):
 * the part's permission id and who holds the parent's permission there.
 */
async function* parentGrants(knex: Knex) {
  const ids = await idsOf(knex);
  for (const [part, parent] of pairs()) {
    const partId = ids.get(part);
    const parentId = ids.get(parent);
    if (partId === undefined || parentId === undefined) continue;
    for (const [table, holder] of [['admin_group_permissions', 'group_id'], ['admin_user_permissions', 'user_id']] as const) {
      const holders = (await knex(table).where('permission_id', parentId).pluck(holder)).map(Number);
      yield { table, holder, partId, holders };
    }
  }
}

export async function up(knex: Knex): Promise<void> {
  for await (const { table, holder, partId, holders } of parentGrants(knex)) {
    const already = new Set((await knex(table).where('permission_id', partId).pluck(holder)).map(Number));
    const rows = holders.filter((h) => !already.has(h)).map((h) => ({ [holder]: h, permission_id: partId }));
    for (let i = 0; i < rows.length; i += 500) await knex(table).insert(rows.slice(i, i + 500));
  }
}

export async function down(knex: Knex): Promise<void> {
  // the part's grants that go with a grant of the parent: those up() gave (or that the parent implied before)
  for await (const { table, holder, partId, holders } of parentGrants(knex)) {
    for (let i = 0; i < holders.length; i += 500) await knex(table).where('permission_id', partId).whereIn(holder, holders.slice(i, i + 500)).del();
  }
}
