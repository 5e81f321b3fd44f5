// The one reading of Accept-Encoding, for the static files and the JSON API alike.
//
// A client that refuses every coding we have (`identity;q=0`, `*;q=0`, `gzip;q=0, br;q=0`) still gets
// the body uncompressed: RFC 9110 §12.5.3 lets a server ignore the header rather than fail, and a 406
// would only break such a client. Libraries got this wrong in both directions (koa-compress set
// `Content-Encoding: undefined` and answered 500; negotiator 0.6 prefers the header's order, so Chrome's
// `gzip, deflate, br` got gzip), hence this small parser.

import type { Coding } from '../published-files.ts';

export type { Coding };

/** Our preference when the client rates codings equally: brotli is smaller. */
const OURS: readonly Coding[] = ['br', 'gzip'];
const NONE: readonly Coding[] = Object.freeze([]);
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

// Browsers send the same header on every request, so the last answer is almost always the next one.
let lastHeader: string | undefined;
let lastAnswer: readonly Coding[] = NONE;

/** Codings the client accepts, best first; empty means send the body as it is. */
export function acceptedCodings(header: string | undefined): readonly Coding[] {
  if (!header) return NONE; // no header: identity, as every server does
  if (header === lastHeader) return lastAnswer;
  const answer = parse(header);
  lastHeader = header;
  lastAnswer = answer;
  return answer;
}

function parse(header: string): readonly Coding[] {
  let br: number | undefined;
  let gzip: number | undefined;
  let any: number | undefined;
  // the lowest q given for a coding wins: a refusal listed twice (duplicate headers) still refuses
  const low = (prev: number | undefined, q: number) => (prev === undefined ? q : Math.min(prev, q));
  for (const item of header.split(',')) {
    const [rawName, ...params] = item.split(';');
    const name = rawName!.trim().toLowerCase();
    if (name !== 'br' && name !== 'gzip' && name !== 'x-gzip' && name !== '*') continue;
    let q = 1;
    let valid = true;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const v = p.slice(eq + 1).trim();
      if (QVALUE.test(v)) q = Number(v);
      else valid = false;
    }
    if (!valid) continue; // a malformed weight means nothing; ignore the entry, not the header
    if (name === 'br') br = low(br, q);
    else if (name === '*') any = low(any, q);
    else gzip = low(gzip, q);
  }
  const weight = { br: br ?? any ?? 0, gzip: gzip ?? any ?? 0 };
  const out = OURS.filter((c) => weight[c] > 0);
  if (out.length === 2 && weight.gzip > weight.br) out.reverse();
  return out.length ? Object.freeze(out) : NONE;
}
