import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';

// The commands' argument rules. A bad argument is a UsageError: the CLI prints its message and
// exits 2, having changed nothing.

export class UsageError extends Error {}

/** Parses a command's options (every command also takes --json) and at most `positionals` bare arguments. */
export function args<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, positionals = 0) {
  const r = parseArgs({ args: argv, options: { json: { type: 'boolean' }, ...options }, strict: true, allowPositionals: positionals > 0 });
  if (r.positionals.length > positionals) throw new UsageError(`unexpected argument '${r.positionals[positionals]}'`);
  return r;
}

type Numbers = typeof import('../../api/validation.ts');
type NumberSchema = 'idSchema' | 'stockSchema' | 'sequenceSchema' | 'skuCountSchema' | 'pageSchema' | 'pageSizeSchema';

/**
 * A numeric option through the API's own schema (api/validation.ts): decimal digits only, so
 * '--stock 0x10' or '--stock ""' is refused here exactly as '/api/skus/0x10' is. (zod is loaded
 * only when a command has a number to check.)
 */
export async function number(schema: NumberSchema, value: string | undefined, name: string): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const v: Numbers = await import('../../api/validation.ts');
  const r = (v[schema] as z.ZodType<number>).safeParse(value);
  if (!r.success) throw new UsageError(`${name}: ${r.error.issues[0]?.message ?? 'invalid'} (got '${value}')`);
  return r.data;
}

/** Ids given as repeated options and/or comma-separated: `--sku 1 --sku 2,3`. */
export async function ids(values: string[] | undefined, name: string): Promise<number[]> {
  const out: number[] = [];
  for (const v of (values ?? []).flatMap((s) => s.split(','))) out.push((await number('idSchema', v, name))!);
  return out;
}

export function bool(value: string | undefined, name: string, yes = ['true', 'on', 'yes', '1'], no = ['false', 'off', 'no', '0']): boolean | undefined {
  if (value === undefined) return undefined;
  if (yes.includes(value)) return true;
  if (no.includes(value)) return false;
  throw new UsageError(`${name} must be ${yes[0]} or ${no[0]} (got '${value}')`);
}
