import { z } from 'zod';
import brands from './demo-catalog/brands.json' with { type: 'json' };
import contents from './demo-catalog/contents.json' with { type: 'json' };
import groups from './demo-catalog/groups.json' with { type: 'json' };
import spus from './demo-catalog/spus.json' with { type: 'json' };
import {
  demoBrandSchema, demoContentSlotSchema, demoGroupSchema, demoSpuSchema, type DemoCatalog,
} from './demo-types.ts';

// The demo catalog (categories, brands, products, homepage content) is data: demo-catalog/*.json,
// edited by hand. Imported rather than read from disk, so the compiled CLI bundle carries it
// (bin/compile.mjs) wherever it runs from.

function parse<T>(file: string, data: unknown, schema: z.ZodType<T>): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new Error(`demo catalog: ${file} at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
}

let loaded: DemoCatalog | null = null;

/** The demo catalog, checked against its schema (once per process). */
export function demoCatalog(): DemoCatalog {
  loaded ??= {
    groups: parse('groups.json', groups, z.array(demoGroupSchema)),
    brands: parse('brands.json', brands, z.array(demoBrandSchema)),
    spus: parse('spus.json', spus, z.array(demoSpuSchema)),
    contents: parse('contents.json', contents, z.array(demoContentSlotSchema)),
  };
  return loaded;
}
