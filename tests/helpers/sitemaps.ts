import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.ts';

// Checks of the published sitemaps and robots.txt (docs/sitemaps.md), shared by the integration and
// end-to-end tests: XML well-formedness and validity against the sitemaps.org schemas with libxml2's
// xmllint (Debian: libxml2-utils, installed by .ci/run), and robots.txt read line by line as RFC 9309
// defines it.

const SCHEMAS = path.join(ROOT, 'tests/fixtures/sitemaps');
export const SITEINDEX_XSD = path.join(SCHEMAS, 'siteindex.xsd');
export const SITEMAP_XSD = path.join(SCHEMAS, 'sitemap.xsd');

/** Parses `file` and validates it against `xsd` with xmllint; throws with xmllint's complaint when it is not valid. */
export function validateXml(file: string, xsd: string): void {
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('xmllint is missing: apt-get install libxml2-utils (.ci/run does)');
    throw new Error(`${path.basename(file)} is not valid against ${path.basename(xsd)}:\n${e.stderr ?? e.message}`);
  }
}

export interface Entry {
  loc: string;
  lastmod: string;
}

const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[n]!);

/** The `<url>` (or, for an index, `<sitemap>`) entries of a file that validateXml accepted. */
export function entriesOf(xml: string, element: 'url' | 'sitemap'): Entry[] {
  const re = new RegExp(`<${element}>\\s*<loc>([^<]*)</loc>\\s*<lastmod>([^<]*)</lastmod>\\s*</${element}>`, 'g');
  return [...xml.matchAll(re)].map((m) => ({ loc: unescape(m[1]!), lastmod: m[2]! }));
}

/** The index at `<client>/sitemap.xml` and each child it names, validated; children by their path ('/sitemap-goods-0.xml'). */
export function readSitemaps(client: string, siteUrl: string): { index: Entry[]; children: Map<string, Entry[]> } {
  const indexFile = path.join(client, 'sitemap.xml');
  validateXml(indexFile, SITEINDEX_XSD);
  const index = entriesOf(fs.readFileSync(indexFile, 'utf8'), 'sitemap');
  const children = new Map<string, Entry[]>();
  for (const e of index) {
    if (!e.loc.startsWith(siteUrl + '/')) throw new Error(`${e.loc} is not on ${siteUrl}`);
    const rel = e.loc.slice(siteUrl.length);
    const file = path.join(client, rel);
    validateXml(file, SITEMAP_XSD);
    children.set(rel, entriesOf(fs.readFileSync(file, 'utf8'), 'url'));
  }
  return { index, children };
}

export interface RobotsGroup {
  userAgents: string[];
  rules: { allow: boolean; path: string }[];
}

/**
 * robots.txt as RFC 9309 reads it: `field: value` records (comments after `#`, blank lines ignored),
 * groups that start with one or more user-agent lines followed by allow/disallow rules, and sitemap
 * records outside any group. Throws on a line that is none of these, a rule outside a group, or a
 * path that does not start with '/'.
 */
export function parseRobots(text: string): { groups: RobotsGroup[]; sitemaps: string[] } {
  const groups: RobotsGroup[] = [];
  const sitemaps: string[] = [];
  let current: RobotsGroup | null = null;
  let lastWasAgent = false;
  for (const [n, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) throw new Error(`robots.txt line ${n + 1} is not a record: ${raw}`);
    const field = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (field === 'user-agent') {
      if (!/^[A-Za-z_*-]+$/.test(value)) throw new Error(`robots.txt line ${n + 1}: bad product token ${value}`);
      if (!lastWasAgent || !current) groups.push((current = { userAgents: [], rules: [] }));
      current.userAgents.push(value);
      lastWasAgent = true;
    } else if (field === 'allow' || field === 'disallow') {
      if (!current) throw new Error(`robots.txt line ${n + 1}: a rule before any user-agent line`);
      if (value !== '' && !value.startsWith('/') && !value.startsWith('*')) throw new Error(`robots.txt line ${n + 1}: path must start with '/'`);
      current.rules.push({ allow: field === 'allow', path: value });
      lastWasAgent = false;
    } else if (field === 'sitemap') {
      sitemaps.push(value);
      lastWasAgent = false;
    } else {
      throw new Error(`robots.txt line ${n + 1}: unknown field ${m[1]}`);
    }
  }
  return { groups, sitemaps };
}
