import crypto from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

// Every file the shop publishes (pages, the search index, assets) is written here, and only here.
// - Atomic: a temp file beside the target, renamed over it (rename(2) is atomic on one filesystem),
//   so a reader — the embedded server, nginx — sees the old file or the new one, never half; the
//   temp file is removed when anything fails.
// - Precompressed: compressible files get `<file>.gz` and `<file>.br` siblings, so the embedded
//   server and nginx (`gzip_static`, `brotli_static`) send compressed bytes without compressing per
//   request. The siblings are written after the main file, so a sibling at least as new as its main
//   file is current; the embedded server checks exactly that (api/middleware/static.ts).

export const COMPRESSIBLE = /\.(html|css|js|mjs|json|svg|txt|xml|map)$/;
/** Below this a compressed copy saves less than it costs (and HTTP/2 frames absorb it). */
export const MIN_COMPRESS_BYTES = 1024;
/** The sibling of each coding: `<file>.gz`, `<file>.br` (what nginx's gzip_static / brotli_static look for). */
export const SIBLING_EXT = { gzip: '.gz', br: '.br' } as const;
export type Coding = keyof typeof SIBLING_EXT;
export const SIBLINGS = Object.values(SIBLING_EXT);

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/**
 * gzip 6 (zlib's default): on the 35 KB pages a third of level 9's CPU for 2% more bytes, which
 * matters when a full build compresses 12,000 of them. brotli 5 for ordinary files (~0.8 ms a page);
 * 7 for big ones such as the 11 MB search index, where 9 would add 1.9 s to every index publish for
 * 8% fewer bytes (11 would take tens of seconds).
 */
const gzipOptions: zlib.ZlibOptions = { level: 6 };
const brotliOptions = (size: number): zlib.BrotliOptions => ({
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: size > 1024 * 1024 ? 7 : 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size },
});

/** One coding, on libuv's thread pool (for processes that serve meanwhile): publishing, and the
 * embedded server compressing a file that has no sibling (api/middleware/static.ts). */
export function compress(coding: Coding, data: Buffer): Promise<Buffer> {
  return coding === 'gzip' ? gzip(data, gzipOptions) : brotli(data, brotliOptions(data.length));
}

export async function compressForms(data: Buffer): Promise<{ gz: Buffer; br: Buffer }> {
  const [gz, br] = await Promise.all([compress('gzip', data), compress('br', data)]);
  return { gz, br };
}

export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Whether a file of this name and size gets compressed siblings (and may be sent compressed). */
export const wantsSiblings = (file: string, size: number) => COMPRESSIBLE.test(file) && size >= MIN_COMPRESS_BYTES;

/** Writes the file atomically, then its compressed siblings (or removes stale ones when it is too small to need them). */
export async function publishFile(file: string, data: string | Buffer): Promise<void> {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const forms = wantsSiblings(file, body.length) ? await compressForms(body) : null;
  await writeFileAtomic(file, body);
  if (forms) {
    await writeFileAtomic(file + '.gz', forms.gz);
    await writeFileAtomic(file + '.br', forms.br);
  } else {
    await removeSiblings(file);
  }
}

/**
 * Adds compressed siblings to a file already in place, in threads that do nothing else
 * (jobs/compress.thread.ts): Astro's files before the page threads start, and the goods and list
 * pages after the release went live (jobs/build.ts). Blocking on purpose: for thousands of small
 * files the async forms cost nearly twice the CPU (a stream and thread-pool hops per call).
 *
 * The release may be live, so a rebuild job may replace the file meanwhile (publishFile: the file by
 * rename, then its siblings). A file whose siblings are current already is skipped. If the file was
 * replaced while it was being compressed (another inode or mtime after than before), the siblings
 * just written may describe the old page — and would pass for current, being newer than the new
 * file — so it is compressed again from the new one. Whoever renames siblings last then leaves the
 * current file's: a publisher writes its siblings after its file. `between` is a test's seam.
 */
export function compressInPlaceSync(file: string, between?: () => void): boolean {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = fsSync.statSync(file, { throwIfNoEntry: false });
    if (!before) return false;
    // on a retry the siblings are this loop's own stale ones, which look current: never skip then
    if (attempt === 0 && siblingsCurrentSync(file, before.mtimeMs)) return false;
    const body = fsSync.readFileSync(file);
    if (!wantsSiblings(file, body.length)) return false;
    const gz = zlib.gzipSync(body, gzipOptions);
    const br = zlib.brotliCompressSync(body, brotliOptions(body.length));
    between?.();
    writeFileAtomicSync(file + SIBLING_EXT.gzip, gz);
    writeFileAtomicSync(file + SIBLING_EXT.br, br);
    const after = fsSync.statSync(file, { throwIfNoEntry: false });
    if (!after) {
      // removed meanwhile (removePublished): a sibling must never outlive its file
      for (const ext of SIBLINGS) fsSync.rmSync(file + ext, { force: true });
      return false;
    }
    if (after.ino === before.ino && after.mtimeMs === before.mtimeMs) return true;
  }
  return false; // replaced five times while compressing: the last publisher's own siblings stand
}

/** Both siblings exist and are at least as new as their file (the embedded server's rule). */
function siblingsCurrentSync(file: string, mtimeMs: number): boolean {
  return SIBLINGS.every((ext) => (fsSync.statSync(file + ext, { throwIfNoEntry: false })?.mtimeMs ?? -1) >= mtimeMs);
}

function writeFileAtomicSync(file: string, data: Buffer) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fsSync.writeFileSync(tmp, data);
    fsSync.renameSync(tmp, file);
  } catch (err) {
    fsSync.rmSync(tmp, { force: true });
    throw err;
  }
}

async function removeSiblings(file: string) {
  for (const ext of SIBLINGS) await fs.rm(file + ext, { force: true });
}

/** Removes a published file and its siblings; true when the file existed. */
export async function removePublished(file: string): Promise<boolean> {
  await removeSiblings(file); // first: a sibling must never outlive its file
  try {
    await fs.unlink(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
