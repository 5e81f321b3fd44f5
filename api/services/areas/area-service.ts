import type { Knex } from 'knex';
import type { RequestContext } from '../../context.ts';
import { db } from '../../db/transaction.ts';
import { NotFoundError } from '../../errors.ts';

// The national areas (the `areas` table, GB/T 2260 codes) for address forms. The table is written
// by its migration and changes only with a release, so the whole of it (some 3,400 short rows) is
// read once per process and every answer after that comes from memory: the address pickers ask for
// it on every form, and the address service checks each address against it.

// Readonly, and frozen at run time: every caller shares the same cached objects.
export interface AreaSummary {
  readonly id: number;
  readonly name: string;
}

export interface AreaDetail extends AreaSummary {
  /** The areas one level down, by id; empty for a district. */
  readonly subs: readonly AreaSummary[];
}

interface AreaNode {
  parentId: number | null;
  detail: AreaDetail & { subs: AreaSummary[] };
}

interface AreaTree {
  provinces: readonly AreaSummary[];
  byId: Map<number, AreaNode>;
}

export class AreaService {
  private tree: Promise<AreaTree> | null = null;

  async provinces(context: RequestContext): Promise<readonly AreaSummary[]> {
    return (await this.load(context)).provinces;
  }

  async area(context: RequestContext, id: number): Promise<AreaDetail> {
    const node = (await this.load(context)).byId.get(id);
    if (!node) throw new NotFoundError('地区不存在', 'AREA_NOT_FOUND');
    return node.detail;
  }

  /** For the addresses service: is the district in the city, and the city in the province? */
  async checkHierarchy(context: RequestContext, provinceId: number, cityId: number, districtId: number): Promise<boolean> {
    const { byId } = await this.load(context);
    return (
      byId.get(provinceId)?.parentId === null &&
      byId.get(cityId)?.parentId === provinceId &&
      byId.get(districtId)?.parentId === cityId
    );
  }

  private load(context: RequestContext): Promise<AreaTree> {
    // one read shared by concurrent first callers; a failed read is not kept, so the next call retries
    // (the table only changes with a release, so a read made inside one request's transaction is
    // everyone's truth too)
    this.tree ??= readTree(db(context)).catch((err: unknown) => {
      this.tree = null;
      throw err;
    });
    return this.tree;
  }
}

async function readTree(db: Knex): Promise<AreaTree> {
  const rows: { id: number; name: string; parent_id: number | null }[] = await db('areas').select('id', 'name', 'parent_id').orderBy('id');
  const byId = new Map<number, AreaNode>();
  for (const r of rows) byId.set(Number(r.id), { parentId: r.parent_id === null ? null : Number(r.parent_id), detail: { id: Number(r.id), name: r.name, subs: [] } });
  const provinces: AreaSummary[] = [];
  // rows come by id, so every list of subs is in id order too
  for (const node of byId.values()) {
    const summary = { id: node.detail.id, name: node.detail.name };
    if (node.parentId === null) provinces.push(summary);
    else byId.get(node.parentId)?.detail.subs.push(summary);
  }
  for (const node of byId.values()) deepFreeze(node.detail);
  deepFreeze(provinces);
  return { provinces, byId };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
