import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compressInPlaceSync, publishFile } from '../../api/published-files.ts';

// The full build writes the goods and list pages' .gz/.br siblings after the new release went live
// (jobs/build.ts), so a rebuild job may publish a page while its siblings are being made. The
// siblings left behind must always be those of the file in place.

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meiduo-compress-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const page = (label: string) => `<!doctype html><title>${label}</title>` + `<p>${label} 商品详情</p>`.repeat(200);
const gunzip = (file: string) => zlib.gunzipSync(fs.readFileSync(file + '.gz')).toString('utf8');
const unbrotli = (file: string) => zlib.brotliDecompressSync(fs.readFileSync(file + '.br')).toString('utf8');

describe('compressInPlaceSync', () => {
  it('writes both siblings of a page without them, and skips a page whose siblings are current', async () => {
    const file = path.join(dir, 'goods-1.html');
    fs.writeFileSync(file, page('old'));
    expect(compressInPlaceSync(file)).toBe(true);
    expect(gunzip(file)).toBe(page('old'));
    expect(unbrotli(file)).toBe(page('old'));

    // a rebuild job publishes the page (file, then siblings): the late compression leaves them be
    await publishFile(file, page('new'));
    const gzBefore = fs.statSync(file + '.gz').mtimeMs;
    expect(compressInPlaceSync(file)).toBe(false);
    expect(fs.statSync(file + '.gz').mtimeMs).toBe(gzBefore);
    expect(gunzip(file)).toBe(page('new'));
  });

  it('compresses again when the page is replaced while it was being compressed', () => {
    const file = path.join(dir, 'goods-2.html');
    fs.writeFileSync(file, page('old'));
    let replaced = 0;
    // a publisher's rename lands between the read and the siblings' rename; its own siblings come
    // later or never (killed): what is left must describe the new page, not the one read first
    const between = () => {
      if (replaced++ > 0) return;
      const tmp = file + '.tmp';
      fs.writeFileSync(tmp, page('new'));
      fs.renameSync(tmp, file);
    };
    expect(compressInPlaceSync(file, between)).toBe(true);
    expect(replaced).toBe(2);
    expect(gunzip(file)).toBe(page('new'));
    expect(unbrotli(file)).toBe(page('new'));
  });

  it('leaves no sibling behind a page removed while it was being compressed', () => {
    const file = path.join(dir, 'goods-3.html');
    fs.writeFileSync(file, page('gone'));
    expect(compressInPlaceSync(file, () => fs.rmSync(file))).toBe(false);
    expect(fs.existsSync(file + '.gz')).toBe(false);
    expect(fs.existsSync(file + '.br')).toBe(false);
  });
});
