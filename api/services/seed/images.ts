// Product and banner pictures for the demo catalog, drawn as SVG on the spot: the shop must run on a
// fresh machine with no network and no binary assets in the repository.

const COLOR_WORDS: [RegExp, string][] = [
  [/金/, '#d4af37'], [/灰|黑|曜石|夜/, '#3d3d3f'], [/银|白/, '#c9ccd1'], [/蓝/, '#2f6fd6'], [/红/, '#d8343a'],
  [/粉/, '#f2a6b8'], [/绿/, '#3aa66a'], [/紫/, '#7b53c1'], [/橙/, '#f08a24'],
];

export function colorFor(text: string, fallback: string): string {
  for (const [re, hex] of COLOR_WORDS) if (re.test(text)) return hex;
  return fallback;
}

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Rough advance of a character in em: CJK and full-width forms are square, Latin about half. */
const advance = (ch: string) => (/[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef\u3000-\u303f]/u.test(ch) ? 1 : 0.56);
const widthEm = (s: string) => [...s].reduce((n, ch) => n + advance(ch), 0);

/**
 * A label laid out in at most `lines` lines of `maxEm` ems each: breaks between words where it can
 * (never inside 'iPhone'), a word longer than a line is cut, and what does not fit ends in '…' — so
 * the text always stays inside the picture instead of running off its edges mid-word.
 */
export function fitLabel(label: string, maxEm: number, lines = 2): string[] {
  const tokens = label.trim().split(/(\s+)/u).filter((x) => x !== '');
  const out: string[] = [];
  let line = '';
  const push = () => {
    out.push(line.trim());
    line = '';
  };
  for (const token of tokens) {
    if (/^\s+$/u.test(token)) {
      if (line) line += ' ';
      continue;
    }
    // a word wider than a line (or CJK runs, which have no spaces): split it character by character
    for (const piece of widthEm(token) > maxEm || /[\u4e00-\u9fff]/u.test(token) ? [...token] : [token]) {
      if (widthEm(line + piece) > maxEm && line.trim()) push();
      line += piece;
    }
  }
  if (line.trim()) push();
  if (out.length <= lines) return out;
  const kept = out.slice(0, lines);
  let last = kept[lines - 1]!;
  while (last && widthEm(`${last}…`) > maxEm) last = [...last].slice(0, -1).join('');
  kept[lines - 1] = `${last.trimEnd()}…`;
  return kept;
}

/** view 0: front, 1: side, 2: box. */
export function productSvg(label: string, color: string, view = 0): string {
  const shape =
    view === 0
      ? `<rect x="130" y="40" width="140" height="250" rx="24" fill="${color}"/><rect x="142" y="60" width="116" height="204" rx="8" fill="#ffffff" opacity="0.18"/>`
      : view === 1
        ? `<rect x="185" y="40" width="30" height="250" rx="12" fill="${color}"/><circle cx="200" cy="80" r="8" fill="#222" opacity="0.5"/>`
        : `<rect x="90" y="100" width="220" height="170" rx="6" fill="${color}" opacity="0.85"/><rect x="90" y="100" width="220" height="36" fill="#000" opacity="0.15"/>`;
  // two lines of at most 340 px at 22 px: well inside the 400 px picture, whatever the name
  const text = fitLabel(label, 340 / 22)
    .map((l, i) => `<text x="200" y="${336 + i * 30}" font-size="22" text-anchor="middle" fill="#333" font-family="sans-serif">${escapeXml(l)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400"><rect width="400" height="400" fill="#f7f7f7"/>${shape}${text}</svg>`;
}

/**
 * A promo picture. The title and subtitle scale with the height and the title is fitted to the
 * width, so a short wide strip (the 页头广告) shows both lines whole as well as a carousel slide does.
 */
export function bannerSvg(title: string, color: string, width = 720, height = 420): string {
  const big = Math.round(Math.min(40, height * 0.34));
  const small = Math.round(Math.min(22, height * 0.2));
  const wide = width / height > 6; // a strip: title and subtitle side by side
  const pad = Math.round(Math.min(48, width * 0.06));
  const titleLine = fitLabel(title, (wide ? width * 0.6 : width - pad * 2) / big, 1)[0] ?? '';
  const sub = '美多商城 · 品质生活';
  const mid = Math.round(height / 2);
  const texts = wide
    ? `<text x="${pad}" y="${mid + Math.round(big * 0.35)}" font-size="${big}" fill="#fff" font-family="sans-serif">${escapeXml(titleLine)}</text><text x="${width - pad}" y="${mid + Math.round(small * 0.35)}" font-size="${small}" text-anchor="end" fill="#fff" opacity="0.85" font-family="sans-serif">${sub}</text>`
    : `<text x="${pad}" y="${mid}" font-size="${big}" fill="#fff" font-family="sans-serif">${escapeXml(titleLine)}</text><text x="${pad}" y="${mid + Math.round(big * 1.25)}" font-size="${small}" fill="#fff" opacity="0.8" font-family="sans-serif">${sub}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${color}"/><stop offset="1" stop-color="#1b1b2f"/></linearGradient></defs><rect width="${width}" height="${height}" fill="url(#g)"/><circle cx="${Math.round(width * 0.78)}" cy="${Math.round(height * 0.45)}" r="${Math.round(height * 0.3)}" fill="#fff" opacity="0.12"/>${texts}</svg>`;
}
