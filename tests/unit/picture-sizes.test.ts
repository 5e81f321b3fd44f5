import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../api/services/media/pictures.ts';
import { pictureVariant } from '../../api/services/media/sizes.ts';

// The pages show an uploaded picture in the size they need (templates/components/SkuCard.astro: the
// card size; the detail page's thumbnails: the thumb size), found from the URL the database holds.

describe('pictureVariant', () => {
  const detail = '/media/images/3f/3fa94c0d8e1b2a7c5d6e9f0a1b2c3d4e-800.jpg';
  it('finds the card and thumbnail sizes of an uploaded picture', () => {
    expect(pictureVariant(detail, 'card')).toBe('/media/images/3f/3fa94c0d8e1b2a7c5d6e9f0a1b2c3d4e-440.jpg');
    expect(pictureVariant(detail, 'thumb')).toBe('/media/images/3f/3fa94c0d8e1b2a7c5d6e9f0a1b2c3d4e-120.jpg');
    expect(pictureVariant(detail, 'detail')).toBe(detail);
    expect(pictureVariant(`https://img.example.cn${detail}`, 'card')).toBe('https://img.example.cn/media/images/3f/3fa94c0d8e1b2a7c5d6e9f0a1b2c3d4e-440.jpg');
  });
  it('leaves any other picture as it is (the demo SVGs, a logo, an outside host)', () => {
    for (const url of ['/media/goods/sku-1-0.svg', '', '/media/logos/3f/3fa94c0d8e1b2a7c5d6e9f0a1b2c3d4e-400.png', 'https://x.cn/a-800.jpg', '/media/images/3f/3fa9-800.jpg']) {
      expect(pictureVariant(url, 'card')).toBe(url);
    }
  });
});

describe('sniffFormat', () => {
  it('knows JPEG, PNG and WebP by their first bytes and nothing else', () => {
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpeg');
    expect(sniffFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).toBe('webp');
    for (const other of ['GIF89a', '<svg xmlns="http://www.w3.org/2000/svg"/>', '<?xml version="1.0"?><svg/>', 'RIFF\0\0\0\0WAVEfmt ', 'BM', '', '\xff\xd8']) {
      expect(sniffFormat(Buffer.from(other, 'latin1'))).toBeNull();
    }
  });
});
