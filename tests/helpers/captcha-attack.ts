import sharp from 'sharp';
import { CAPTCHA_GLYPHS } from '../../api/services/accounts/captcha-glyphs.ts';
import { CAPTCHA_LENGTH, GLYPH_CAP_PX } from '../../api/services/accounts/captcha-image.ts';
import { CAPTCHA_FONT } from '../../api/services/accounts/captcha-glyphs.ts';

// Two attacks on the image captcha, as someone holding the shop's font would run them.
//
// pathAttack: what read every svg-captcha — the picture carried each letter as the font's outline
// with ±0.1 of jitter, so the sequence of path commands (and their coordinates, up to translation)
// names the glyph.
//
// templateAttack: render every glyph of the same font at the captcha's size and at a few angles,
// slide each over the picture (normalised cross-correlation, speckles first removed by a 3×3
// median), and read the four best non-overlapping matches left to right.

const UNIT = GLYPH_CAP_PX / CAPTCHA_FONT.capHeight;

// ---- path matching ----

interface PathSig {
  ops: string;
  /** relative to the first point: translation does not matter */
  coords: number[];
  x0: number;
}

function pathSig(d: string): PathSig {
  const ops = d.replace(/[^A-Za-z]/g, '');
  const nums = (d.match(/-?\d*\.?\d+(?:e-?\d+)?/g) ?? []).map(Number);
  const [x0 = 0, y0 = 0] = nums;
  return { ops, coords: nums.map((v, i) => v - (i % 2 === 0 ? x0 : y0)), x0 };
}

/** Reads a captcha from the path outlines in an SVG (the old attack); '' for every letter it cannot find. */
export function pathAttack(picture: Buffer | string, scale = 1): string {
  const text = typeof picture === 'string' ? picture : picture.toString('latin1');
  const table = Object.entries(CAPTCHA_GLYPHS).map(([ch, g]) => {
    const sig = pathSig(g.d);
    return { ch, ops: sig.ops, coords: sig.coords.map((v) => v * scale), x0: sig.x0 * scale };
  });
  const found: { x: number; ch: string }[] = [];
  for (const m of text.matchAll(/<path[^>]*\sd="([^"]+)"/g)) {
    const sig = pathSig(m[1]!);
    let best: { ch: string; err: number; x0: number } | null = null;
    for (const t of table) {
      if (t.ops !== sig.ops || t.coords.length !== sig.coords.length) continue;
      const err = Math.max(...t.coords.map((v, i) => Math.abs(v - sig.coords[i]!)));
      if (!best || err < best.err) best = { ch: t.ch, err, x0: t.x0 };
    }
    // read left to right by where each glyph's origin lies
    if (best && best.err < 1) found.push({ x: sig.x0 - best.x0, ch: best.ch });
  }
  return found.sort((a, b) => a.x - b.x).map((f) => f.ch).join('');
}

// ---- template matching ----

interface Gray {
  w: number;
  h: number;
  px: Float32Array; // ink: 0 = background, 1 = darkest
}

async function inkOf(img: sharp.Sharp): Promise<Gray> {
  const { data, info } = await img.flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const px = new Float32Array(info.width * info.height);
  for (let i = 0; i < px.length; i++) px[i] = (255 - data[i * info.channels]!) / 255;
  return { w: info.width, h: info.height, px };
}

function median3(g: Gray): Gray {
  const out = new Float32Array(g.px.length);
  const win = new Float32Array(9);
  for (let y = 0; y < g.h; y++)
    for (let x = 0; x < g.w; x++) {
      let n = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) win[n++] = g.px[Math.min(g.h - 1, Math.max(0, y + dy)) * g.w + Math.min(g.w - 1, Math.max(0, x + dx))]!;
      out[y * g.w + x] = win.sort()[4]!;
    }
  return { w: g.w, h: g.h, px: out };
}

/** Halves both sides (2×2 means): the matching runs on the coarse picture, as a pyramid search would. */
function half(g: Gray): Gray {
  const w = g.w >> 1;
  const h = g.h >> 1;
  const px = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = 2 * y * g.w + 2 * x;
      px[y * w + x] = (g.px[o]! + g.px[o + 1]! + g.px[o + g.w]! + g.px[o + g.w + 1]!) / 4;
    }
  return { w, h, px };
}

interface Template {
  ch: string;
  w: number;
  h: number;
  /** zero-mean, unit-norm */
  t: Float32Array;
}

async function renderGlyph(ch: string, turnDeg: number): Promise<Gray> {
  const g = CAPTCHA_GLYPHS[ch]!;
  const [x1, y1, x2, y2] = g.box;
  const diag = Math.ceil(Math.hypot(x2 - x1, y2 - y1) * UNIT) + 4;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${diag}" height="${diag}"><path fill="#000" transform="translate(${diag / 2} ${diag / 2}) rotate(${turnDeg}) scale(${UNIT}) translate(${-(x1 + x2) / 2} ${-(y1 + y2) / 2})" d="${g.d}"/></svg>`;
  const full = await inkOf(sharp(Buffer.from(svg)));
  // crop to the ink
  let [l, t, r, b] = [full.w, full.h, 0, 0];
  for (let y = 0; y < full.h; y++)
    for (let x = 0; x < full.w; x++)
      if (full.px[y * full.w + x]! > 0.1) [l, t, r, b] = [Math.min(l, x), Math.min(t, y), Math.max(r, x), Math.max(b, y)];
  const w = r - l + 1;
  const h = b - t + 1;
  const px = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = full.px[(y + t) * full.w + x + l]!;
  return { w, h, px };
}

function normalised(ch: string, g: Gray): Template {
  const n = g.px.length;
  const mean = g.px.reduce((a, v) => a + v, 0) / n;
  const t = new Float32Array(n);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (t[i] = g.px[i]! - mean) ** 2;
  const norm = Math.sqrt(ss) || 1;
  for (let i = 0; i < n; i++) t[i]! /= norm;
  return { ch, w: g.w, h: g.h, t };
}

let templates: Promise<Template[]> | null = null;
export const ATTACK_ANGLES = [-30, -15, 0, 15, 30];

function templateSet(): Promise<Template[]> {
  templates ??= Promise.all(
    Object.keys(CAPTCHA_GLYPHS).flatMap((ch) => ATTACK_ANGLES.map(async (a) => normalised(ch, half(await renderGlyph(ch, a))))),
  );
  return templates;
}

/** Reads a captcha PNG by template matching; returns its guess of the text. */
export async function templateAttack(png: Buffer, length = CAPTCHA_LENGTH): Promise<string> {
  const img = half(median3(await inkOf(sharp(png))));
  const { w: W, h: H, px: I } = img;
  // integral images of I and I² for each window's mean and energy
  const S = new Float64Array((W + 1) * (H + 1));
  const S2 = new Float64Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const v = I[y * W + x]!;
      const o = (y + 1) * (W + 1) + x + 1;
      S[o] = v + S[o - 1]! + S[o - W - 1]! - S[o - W - 2]!;
      S2[o] = v * v + S2[o - 1]! + S2[o - W - 1]! - S2[o - W - 2]!;
    }
  const box = (A: Float64Array, x: number, y: number, w: number, h: number) =>
    A[(y + h) * (W + 1) + x + w]! - A[y * (W + 1) + x + w]! - A[(y + h) * (W + 1) + x]! + A[y * (W + 1) + x]!;

  const hits: { ch: string; cx: number; score: number }[] = [];
  for (const T of await templateSet()) {
    if (T.w > W || T.h > H) continue;
    const n = T.w * T.h;
    for (let y = 0; y + T.h <= H; y++)
      for (let x = 0; x + T.w <= W; x++) {
        const sum = box(S, x, y, T.w, T.h);
        const energy = box(S2, x, y, T.w, T.h) - (sum * sum) / n;
        if (energy < 1e-6) continue;
        let dot = 0;
        for (let j = 0; j < T.h; j++) {
          const row = (y + j) * W + x;
          const trow = j * T.w;
          for (let i = 0; i < T.w; i++) dot += T.t[trow + i]! * I[row + i]!;
        }
        hits.push({ ch: T.ch, cx: x + T.w / 2, score: dot / Math.sqrt(energy) });
      }
  }
  // the best matches whose centres are at least a narrow glyph's width apart, read left to right
  hits.sort((a, b) => b.score - a.score);
  const minGap = (0.55 * CAPTCHA_GLYPHS.H!.advance * UNIT) / 2;
  const picked: typeof hits = [];
  for (const h of hits) {
    if (picked.length === length) break;
    if (picked.every((p) => Math.abs(p.cx - h.cx) >= minGap)) picked.push(h);
  }
  return picked.sort((a, b) => a.cx - b.cx).map((p) => p.ch).join('');
}
