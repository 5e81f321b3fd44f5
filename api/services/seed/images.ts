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

/** view 0: front, 1: side, 2: box. */
export function productSvg(label: string, color: string, view = 0): string {
  const shape =
    view === 0
      ? `<rect x="130" y="50" width="140" height="270" rx="24" fill="${color}"/><rect x="142" y="72" width="116" height="220" rx="8" fill="#ffffff" opacity="0.18"/>`
      : view === 1
        ? `<rect x="185" y="50" width="30" height="270" rx="12" fill="${color}"/><circle cx="200" cy="90" r="8" fill="#222" opacity="0.5"/>`
        : `<rect x="90" y="110" width="220" height="170" rx="6" fill="${color}" opacity="0.85"/><rect x="90" y="110" width="220" height="36" fill="#000" opacity="0.15"/>`;
  const text = escapeXml(label.slice(0, 18));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400"><rect width="400" height="400" fill="#f7f7f7"/>${shape}<text x="200" y="365" font-size="22" text-anchor="middle" fill="#333" font-family="sans-serif">${text}</text></svg>`;
}

export function bannerSvg(title: string, color: string, width = 730, height = 454): string {
  const text = escapeXml(title.slice(0, 24));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${color}"/><stop offset="1" stop-color="#1b1b2f"/></linearGradient></defs><rect width="${width}" height="${height}" fill="url(#g)"/><circle cx="${Math.round(width * 0.78)}" cy="${Math.round(height * 0.45)}" r="${Math.round(height * 0.3)}" fill="#fff" opacity="0.12"/><text x="48" y="${Math.round(height / 2)}" font-size="40" fill="#fff" font-family="sans-serif">${text}</text><text x="48" y="${Math.round(height / 2) + 50}" font-size="22" fill="#fff" opacity="0.8" font-family="sans-serif">美多商城 · 品质生活</text></svg>`;
}
