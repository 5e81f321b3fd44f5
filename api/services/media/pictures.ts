import crypto from 'node:crypto';
import sharp from 'sharp';
import { AppError, ValidationError } from '../../errors.ts';
import { SIZES } from './sizes.ts';

export { pictureVariant, SIZES } from './sizes.ts';

// What an uploaded picture becomes. Nothing is ever served as sent: the type is read from the bytes
// (never the file name or the part's Content-Type), the size from the header before anything is
// decoded, and what is stored is re-encoded by sharp — EXIF rotation applied, metadata (GPS, camera,
// thumbnails, ICC) dropped, alpha flattened for JPEG — in the sizes the pages show.

/** Largest upload, in bytes (the multipart reader stops reading at it: 413). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** Largest picture, in pixels: a decompression bomb (a 20,000 × 20,000 PNG of a few KB) is refused from its header. */
export const MAX_PIXELS = 40_000_000;

export const UPLOAD_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type UploadFormat = (typeof UPLOAD_FORMATS)[number];

export type PictureKind = 'sku' | 'logo';

const OUTPUT: Record<PictureKind, { ext: 'jpg' | 'png'; contentType: string; folder: string }> = {
  sku: { ext: 'jpg', contentType: 'image/jpeg', folder: 'images' },
  logo: { ext: 'png', contentType: 'image/png', folder: 'logos' },
};

export interface EncodedPicture {
  /** The storage key of this picture without its size: 'images/3f/3fa9…' (media_files.key). */
  base: string;
  format: UploadFormat;
  width: number;
  height: number;
  /** One per size, the first the main one. */
  files: { size: string; key: string; data: Buffer; contentType: string; width: number; height: number }[];
}

/** The type, from the first bytes alone: JPEG, PNG or WebP, else null (GIF, SVG, text …). */
export function sniffFormat(bytes: Buffer): UploadFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

const wrongType = () => new AppError({ message: '图片必须是 JPEG、PNG 或 WebP 格式', statusCode: 415, code: 'UNSUPPORTED_IMAGE_TYPE' });

const tooManyPixels = (w: number, h: number) =>
  new AppError({ message: `图片不能超过 ${MAX_PIXELS / 1_000_000} 百万像素（这张 ${w} × ${h}）`, statusCode: 413, code: 'IMAGE_TOO_MANY_PIXELS' });

/**
 * Checks an upload and re-encodes it in every size of its kind; throws 415 (not JPEG/PNG/WebP),
 * 413 (over MAX_PIXELS) or 400 (unreadable) without decoding anything it refuses.
 */
export async function encodePicture(bytes: Buffer, kind: PictureKind): Promise<EncodedPicture> {
  // the magic numbers first, so sharp only ever parses the three formats (never SVG, never GIF)
  const sniffed = sniffFormat(bytes);
  if (!sniffed) throw wrongType();
  const options = { limitInputPixels: MAX_PIXELS, failOn: 'error' as const, sequentialRead: true };
  let meta: sharp.Metadata;
  try {
    // the header only: nothing is decoded (the pixel limit is checked below, by name, from it)
    meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch {
    throw new ValidationError('图片已损坏，无法读取', { image: '无法读取' });
  }
  if (meta.format !== sniffed) throw wrongType();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new ValidationError('图片已损坏，无法读取', { image: '无法读取' });
  // one frame's worth: of an animated WebP only the first frame is ever decoded
  if (width * height > MAX_PIXELS) throw tooManyPixels(width, height);

  const out = OUTPUT[kind];
  const hash = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  const base = `${out.folder}/${hash.slice(0, 2)}/${hash}`;
  const files: EncodedPicture['files'] = [];
  try {
    // decoded once, into the largest size (JPEG shrinks while it decodes); the smaller sizes are
    // made from those pixels rather than from the upload again
    const [largest] = SIZES[kind];
    let decoded = sharp(bytes, options).rotate().resize({ width: largest.width, height: largest.height, fit: 'inside', withoutEnlargement: true });
    if (kind === 'sku') decoded = decoded.flatten({ background: '#ffffff' });
    const { data: pixels, info: raw } = await decoded.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }); // 16-bit PNGs too
    const source = { raw: { width: raw.width, height: raw.height, channels: raw.channels } };
    for (const size of SIZES[kind]) {
      const img = sharp(pixels, source).resize({ width: size.width, height: size.height, fit: 'inside', withoutEnlargement: true });
      const encoded = kind === 'sku' ? img.jpeg({ quality: 82, progressive: true }) : img.png({ compressionLevel: 9 });
      const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
      files.push({ size: size.name, key: `${base}-${size.width}.${out.ext}`, data, contentType: out.contentType, width: info.width, height: info.height });
    }
  } catch {
    throw new ValidationError('图片已损坏，无法读取', { image: '无法读取' });
  }
  return { base, format: sniffed, width, height, files };
}

/** The media_files key of a stored picture's URL (its storage key without size), or null for another URL. */
export function pictureBaseOf(key: string): string {
  return key.replace(/-\d+\.(jpg|png)$/, '');
}
