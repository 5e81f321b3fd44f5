import crypto from 'node:crypto';
import sharp from 'sharp';
import { CAPTCHA_FONT, CAPTCHA_GLYPHS } from './captcha-glyphs.ts';

// The image captcha as a PNG. The earlier SVG captcha sent each letter as the font's own outline
// (jittered by ±0.1), so comparing path commands with the font read every one of them. Here the
// letters never leave the server as shapes: each glyph is turned, scaled, stretched, slanted and
// thickened on its own (some drawn hollow), crowds its neighbours, the raster is bent by a random
// displacement field, and curves and speckles go on top. Matching the font's own glyphs against the
// picture (tests/integration/captcha-attack.test.ts) reads well under 1 in 20 of them, while a
// person still reads four large letters, told apart by colour. About 2 KB per picture.

export const CAPTCHA_ALPHABET = Object.keys(CAPTCHA_GLYPHS).join('');
export const CAPTCHA_LENGTH = 4;
export const CAPTCHA_WIDTH = 150;
export const CAPTCHA_HEIGHT = 52;
/** Cap height of a glyph before its own scaling, in pixels. */
export const GLYPH_CAP_PX = 31;
const UNIT = GLYPH_CAP_PX / CAPTCHA_FONT.capHeight;
const BACKGROUND = '#f4f4f0';

export interface CaptchaStyle {
  /** Each glyph is turned by up to this many degrees either way… */
  rotateDeg: number;
  /** …slanted by up to this many… */
  skewDeg: number;
  /** …scaled by up to this fraction… */
  scaleJitter: number;
  /** …its width against its height changed by up to this fraction… */
  stretchJitter: number;
  /** …moved up or down by up to this many pixels… */
  shiftPx: number;
  /** …and thickened by up to this many pixels. */
  thickenPx: number;
  /** The chance that a glyph is drawn as its outline only. */
  hollow: number;
  /** How much of its width each glyph shares with the one before (negative: a gap). */
  overlap: number;
  /** Largest shift of a pixel by the displacement field, in pixels… */
  warpPx: number;
  /** …of which this share bends the strokes inside a letter (the rest bends the line of letters). */
  fineWarp: number;
  /** Curves drawn across the letters. */
  lines: number;
  /** Share of pixels replaced by speckles. */
  speckle: number;
}

export const CAPTCHA_STYLE: CaptchaStyle = {
  rotateDeg: 35,
  skewDeg: 12,
  scaleJitter: 0.15,
  stretchJitter: 0.15,
  shiftPx: 3,
  thickenPx: 3,
  hollow: 0.35,
  overlap: 0.16,
  warpPx: 4.5,
  fineWarp: 0.35,
  lines: 2,
  speckle: 0.05,
};

/** Floats in [0, 1) from the system's CSPRNG, drawn in blocks: the distortions must not be predictable either. */
export function randomSource(): () => number {
  let pool = Buffer.alloc(0);
  let at = 0;
  return () => {
    if (at + 4 > pool.length) {
      pool = crypto.randomBytes(4096);
      at = 0;
    }
    const v = pool.readUInt32LE(at) / 2 ** 32;
    at += 4;
    return v;
  };
}

/** A random captcha text from the alphabet (no 0/O, 1/I and the like). */
export function captchaText(rnd: () => number = randomSource(), length = CAPTCHA_LENGTH): string {
  let s = '';
  for (let i = 0; i < length; i++) s += CAPTCHA_ALPHABET[Math.floor(rnd() * CAPTCHA_ALPHABET.length)];
  return s;
}

const between = (rnd: () => number, lo: number, hi: number) => lo + (hi - lo) * rnd();
/** A dark colour of hue `hue` (degrees). */
const darkInk = (rnd: () => number, hue = rnd() * 360) => `hsl(${Math.floor(hue % 360)} ${Math.floor(between(rnd, 55, 85))}% ${Math.floor(between(rnd, 20, 34))}%)`;

/** The letters and curves as SVG, each glyph placed and distorted on its own. */
function layoutSvg(text: string, style: CaptchaStyle, rnd: () => number): string {
  const glyphs = [...text].map((ch) => {
    const g = CAPTCHA_GLYPHS[ch];
    if (!g) throw new Error(`no captcha glyph for ${JSON.stringify(ch)}`);
    const scale = UNIT * (1 + between(rnd, -style.scaleJitter, style.scaleJitter));
    const stretch = 1 + between(rnd, -style.stretchJitter, style.stretchJitter);
    return { g, sx: scale * stretch, sy: scale / stretch };
  });
  const widths = glyphs.map(({ g, sx }) => (g.box[2] - g.box[0]) * sx);
  const total = widths.reduce((a, w) => a + w * (1 - style.overlap), 0);
  let x = (CAPTCHA_WIDTH - total) / 2 + between(rnd, -4, 4);
  const parts: string[] = [];
  // neighbouring letters get hues far apart: a reader tells crowded letters apart by colour
  const hue0 = rnd() * 360;
  glyphs.forEach(({ g, sx, sy }, i) => {
    const w = widths[i]!;
    const [x1, y1, x2, y2] = g.box;
    // the glyph's own centre goes to its slot, so turning and slanting keep it there
    const transform = [
      `translate(${(x + w / 2).toFixed(1)} ${(CAPTCHA_HEIGHT / 2 + between(rnd, -style.shiftPx, style.shiftPx)).toFixed(1)})`,
      `rotate(${between(rnd, -style.rotateDeg, style.rotateDeg).toFixed(1)})`,
      `skewX(${between(rnd, -style.skewDeg, style.skewDeg).toFixed(1)})`,
      `scale(${sx.toFixed(5)} ${sy.toFixed(5)})`,
      `translate(${-(x1 + x2) / 2} ${-(y1 + y2) / 2})`,
    ].join(' ');
    const ink = darkInk(rnd, hue0 + i * 137 + between(rnd, -20, 20));
    // stroke widths are in font units here (the path is scaled): divide pixels by the scale
    const paint =
      rnd() < style.hollow
        ? `fill="none" stroke="${ink}" stroke-width="${Math.round(3.2 / sx)}"`
        : `fill="${ink}" stroke="${ink}" stroke-width="${Math.round(between(rnd, 0, style.thickenPx) / sx)}" stroke-linejoin="round"`;
    parts.push(`<path ${paint} transform="${transform}" d="${g.d}"/>`);
    x += w * (1 - style.overlap);
  });
  for (let i = 0; i < style.lines; i++) {
    // a curve from the left edge to the right one, wandering through the letters' band
    const y = () => between(rnd, CAPTCHA_HEIGHT * 0.2, CAPTCHA_HEIGHT * 0.8).toFixed(1);
    const d = `M0 ${y()} C${between(rnd, 30, 60).toFixed(1)} ${y()} ${between(rnd, 90, 120).toFixed(1)} ${y()} ${CAPTCHA_WIDTH} ${y()}`;
    parts.push(`<path fill="none" stroke="${darkInk(rnd)}" stroke-width="${between(rnd, 1.4, 2.2).toFixed(1)}" d="${d}"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CAPTCHA_WIDTH}" height="${CAPTCHA_HEIGHT}"><rect width="100%" height="100%" fill="${BACKGROUND}"/>${parts.join('')}</svg>`;
}

/** Adds to (dx, dy) a smooth random field: shifts of up to `amp` on a grid of gx × gy cells, bilinearly interpolated. */
function addNoiseField(dx: Float32Array, dy: Float32Array, gx: number, gy: number, amp: number, rnd: () => number): void {
  const stride = gx + 1;
  const gridX = Float32Array.from({ length: stride * (gy + 1) }, () => amp * between(rnd, -1, 1));
  const gridY = Float32Array.from({ length: stride * (gy + 1) }, () => amp * between(rnd, -1, 1));
  for (let y = 0; y < CAPTCHA_HEIGHT; y++) {
    const fy0 = (y / CAPTCHA_HEIGHT) * gy;
    const j = Math.floor(fy0);
    const fy = fy0 - j;
    for (let x = 0; x < CAPTCHA_WIDTH; x++) {
      const fx0 = (x / CAPTCHA_WIDTH) * gx;
      const i = Math.floor(fx0);
      const fx = fx0 - i;
      const a = j * stride + i;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const o = y * CAPTCHA_WIDTH + x;
      dx[o]! += gridX[a]! * w00 + gridX[a + 1]! * w10 + gridX[a + stride]! * w01 + gridX[a + stride + 1]! * w11;
      dy[o]! += gridY[a]! * w00 + gridY[a + 1]! * w10 + gridY[a + stride]! * w01 + gridY[a + stride + 1]! * w11;
    }
  }
}

/**
 * How far each pixel is taken from: a coarse field and a sine wave bend the line of letters, a fine
 * field (cells smaller than a letter) bends the strokes inside each letter — which is what throws
 * off matching a rigid glyph shape, while the letters stay whole for a reader.
 */
function displacement(style: CaptchaStyle, rnd: () => number): { dx: Float32Array; dy: Float32Array } {
  const dx = new Float32Array(CAPTCHA_WIDTH * CAPTCHA_HEIGHT);
  const dy = new Float32Array(CAPTCHA_WIDTH * CAPTCHA_HEIGHT);
  addNoiseField(dx, dy, 6, 2, style.warpPx * (0.8 - style.fineWarp), rnd);
  addNoiseField(dx, dy, 18, 6, style.warpPx * style.fineWarp, rnd);
  const waveAmp = style.warpPx * 0.2;
  const k = (2 * Math.PI) / between(rnd, 28, 44);
  const phase = rnd() * Math.PI * 2;
  for (let y = 0; y < CAPTCHA_HEIGHT; y++)
    for (let x = 0; x < CAPTCHA_WIDTH; x++) {
      dx[y * CAPTCHA_WIDTH + x]! += waveAmp * Math.sin(k * y + phase);
      dy[y * CAPTCHA_WIDTH + x]! += waveAmp * Math.sin(k * x + phase);
    }
  return { dx, dy };
}

/** Moves every pixel by the field (bilinear sampling of the source; past its edge, the edge). */
function warp(src: Buffer, { dx, dy }: { dx: Float32Array; dy: Float32Array }): Buffer {
  const W = CAPTCHA_WIDTH;
  const H = CAPTCHA_HEIGHT;
  const out = Buffer.alloc(src.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = y * W + x;
      const sx = Math.min(W - 1.001, Math.max(0, x + dx[o]!));
      const sy = Math.min(H - 1.001, Math.max(0, y + dy[o]!));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const a = (y0 * W + x0) * 3;
      const b = a + W * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[a + c]! * (1 - fx) + src[a + 3 + c]! * fx;
        const bottom = src[b + c]! * (1 - fx) + src[b + 3 + c]! * fx;
        out[o * 3 + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}

/** Dark and light speckles over everything, so no pixel run is clean. */
function speckle(px: Buffer, share: number, rnd: () => number): void {
  const n = Math.round(CAPTCHA_WIDTH * CAPTCHA_HEIGHT * share);
  for (let k = 0; k < n; k++) {
    const o = Math.floor(rnd() * CAPTCHA_WIDTH * CAPTCHA_HEIGHT) * 3;
    const v = rnd() < 0.5 ? Math.floor(between(rnd, 40, 110)) : Math.floor(between(rnd, 200, 250));
    px[o] = v;
    px[o + 1] = v;
    px[o + 2] = v;
  }
}

/**
 * The captcha picture for `text` as PNG bytes. `style` and `rnd` are there for the attack test (an
 * undistorted baseline, repeatable pictures); the shop uses the defaults.
 */
export async function captchaPng(text: string, style: CaptchaStyle = CAPTCHA_STYLE, rnd: () => number = randomSource()): Promise<Buffer> {
  const svg = layoutSvg(text, style, rnd);
  let px = await sharp(Buffer.from(svg)).flatten({ background: BACKGROUND }).removeAlpha().raw().toBuffer();
  if (style.warpPx > 0) px = warp(px, displacement(style, rnd));
  if (style.speckle > 0) speckle(px, style.speckle, rnd);
  // a small palette: the picture stays about 2 KB despite the speckles
  return sharp(px, { raw: { width: CAPTCHA_WIDTH, height: CAPTCHA_HEIGHT, channels: 3 } })
    .png({ palette: true, colours: 24, dither: 0, compressionLevel: 9, effort: 4 })
    .toBuffer();
}
