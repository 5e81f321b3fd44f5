import crypto from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTCHA_GLYPHS } from '../../api/services/accounts/captcha-glyphs.ts';
import { CAPTCHA_HEIGHT, CAPTCHA_WIDTH, captchaPng, captchaText, CAPTCHA_STYLE, type CaptchaStyle } from '../../api/services/accounts/captcha-image.ts';
import { prng } from '../../api/services/seed/synthetic.ts';
import { pathAttack, templateAttack } from '../helpers/captcha-attack.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// The image captcha against the attacks of tests/helpers/captcha-attack.ts, each shown to work on
// the kind of picture it was made for (so this test can fail): reading svg-captcha's path outlines,
// and matching the font's glyphs against the raster.

/** Repeatable pictures: the seeded generator the synthetic catalog uses, instead of the CSPRNG. */
const seeded = prng;

/** The same letters, upright, evenly spaced, clean: what template matching is good at. */
const PLAIN: CaptchaStyle = { rotateDeg: 0, skewDeg: 0, scaleJitter: 0, stretchJitter: 0, shiftPx: 0, thickenPx: 0, hollow: 0, overlap: -0.1, warpPx: 0, fineWarp: 0, lines: 0, speckle: 0 };

/** A picture drawn the way svg-captcha drew its letters: the font's outlines, every point moved by ±0.1. */
function svgCaptchaStyle(text: string, rnd: () => number): string {
  const scale = 56 / 2048;
  const paths = [...text].map((ch, i) => {
    let k = 0;
    const d = CAPTCHA_GLYPHS[ch]!.d.replace(/-?\d+/g, (n) => ` ${(Number(n) * scale + (k++ % 2 === 0 ? 20 + 30 * i : 40) + (rnd() * 0.2 - 0.1)).toFixed(2)}`);
    return `<path fill="#333" d="${d}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="150" height="50"><path d="M1 20 C60 5,90 45,149 30" stroke="#999" fill="none"/>${paths.join('')}</svg>`;
}

describe('image captcha against machine reading', () => {
  let t: TestDb;
  let app: TestApp;

  beforeAll(async () => {
    t = await createTestDb('sqlite');
    app = await startTestApp(t);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('serves a PNG raster, which carries no outlines for the path-matching attack to read', async () => {
    const rnd = seeded(7);
    // the attack is real: it reads every svg-captcha-style picture
    for (let i = 0; i < 20; i++) {
      const text = captchaText(rnd);
      expect(pathAttack(svgCaptchaStyle(text, rnd), 56 / 2048)).toBe(text);
    }
    const uuid = crypto.randomUUID();
    const res = await app.get(`/api/image_codes/${uuid}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeLessThan(8 * 1024);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', CAPTCHA_WIDTH, CAPTCHA_HEIGHT]);
    expect(pathAttack(png, 1)).toBe('');
    expect(await app.services.accounts.codes.peekImageCode(uuid)).toMatch(/^[a-z0-9]{4}$/);
  });

  it('is not read by matching the font’s glyphs, which read the same letters undistorted', async () => {
    const N = 50;
    const rnd = seeded(20260101);
    let plainSolved = 0;
    let solved = 0;
    for (let i = 0; i < N; i++) {
      const text = captchaText(rnd);
      if ((await templateAttack(await captchaPng(text, PLAIN, rnd))) === text) plainSolved++;
      if ((await templateAttack(await captchaPng(text, CAPTCHA_STYLE, rnd))) === text) solved++;
    }
    // measured with this seed: 48 of 50 plain, 0 of 50 served
    expect(plainSolved).toBeGreaterThanOrEqual(0.9 * N);
    expect(solved).toBeLessThan(0.05 * N);
  });
});
