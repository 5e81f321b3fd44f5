import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

// axe-core (WCAG 2.1 AA) in a test page. The pages' Content-Security-Policy refuses inline scripts,
// so page.addScriptTag({content}) would be blocked (and reported as a violation); the source is run
// through page.evaluate instead (DevTools protocol: not subject to the page's CSP).

const source = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * The serious and critical WCAG 2.0/2.1 A and AA violations on the page as it is now; with
 * `targetSize`, also WCAG 2.2's target size (2.5.8, at least 24 × 24 px or spaced apart).
 */
export async function axeViolations(page: Page, impacts: readonly string[] = ['serious', 'critical'], options: { targetSize?: boolean } = {}): Promise<AxeProblem[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(source);
  const violations = await page.evaluate(async (targetSize) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, rules: targetSize ? { 'target-size': { enabled: true } } : {}, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => String(n.target)) }));
  }, Boolean(options.targetSize));
  return violations.filter((v) => impacts.includes(v.impact));
}
