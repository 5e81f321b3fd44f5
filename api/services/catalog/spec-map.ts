import { goodsUrl } from './paths.ts';
import type { SpecChoice } from './page-models.ts';
import type { Spec, SpecOption } from './types.ts';

// The spec selector on a SKU page: for each spec and each of its options, which sibling SKU has the
// current SKU's options with just that one changed. (meiduo-original.md §5.2; the original skipped
// the page entirely when a SKU lacked a spec row — here a missing row simply matches nothing.)

export interface SpecWithOptions extends Spec {
  options: SpecOption[];
}

/** skuOptions: for each candidate SKU (the launched SKUs of the SPU), spec id → option id. */
export function buildSpecChoices(
  specs: SpecWithOptions[],
  skuOptions: Map<number, Map<number, number>>,
  currentSkuId: number,
): SpecChoice[] {
  const ordered = [...specs].sort((a, b) => a.sequence - b.sequence || a.id - b.id);
  const keyOf = (opts: (number | undefined)[]) => opts.map((o) => o ?? '-').join(',');

  const byKey = new Map<string, number>();
  for (const [skuId, opts] of [...skuOptions].sort((a, b) => a[0] - b[0])) {
    const key = keyOf(ordered.map((s) => opts.get(s.id)));
    if (!byKey.has(key)) byKey.set(key, skuId); // lowest id wins if data has duplicates
  }

  const current = skuOptions.get(currentSkuId) ?? new Map<number, number>();
  const currentOpts = ordered.map((s) => current.get(s.id));

  return ordered.map((spec, i) => ({
    id: spec.id,
    name: spec.name,
    options: [...spec.options]
      .sort((a, b) => a.sequence - b.sequence || a.id - b.id)
      .map((opt) => {
        const key = [...currentOpts];
        key[i] = opt.id;
        const skuId = byKey.get(keyOf(key));
        return {
          id: opt.id,
          value: opt.value,
          url: skuId === undefined ? null : goodsUrl(skuId),
          current: currentOpts[i] === opt.id,
        };
      }),
  }));
}
