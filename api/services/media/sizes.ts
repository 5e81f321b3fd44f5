// The sizes uploaded pictures are stored in, and how a page finds one size from another: pure, with
// no image library, so the page templates (templates/) import it without pulling sharp into the build.

/**
 * The sizes made of each kind of upload, the longest side in pixels (fit inside a square, never
 * enlarged), twice the CSS pixels the pages show for sharp screens (templates/styles/main.css):
 * the detail page's 400 px main picture, a list card (at least 220 px wide), the detail page's
 * 60 px thumbnails. The first size is the picture's URL in the database (sku_images.image,
 * skus.default_image); pictureVariant() finds the others from it. A brand logo is one PNG (it
 * keeps its transparency), at most 400 × 200.
 */
export const SIZES = {
  sku: [
    { name: 'detail', width: 800, height: 800 },
    { name: 'card', width: 440, height: 440 },
    { name: 'thumb', width: 120, height: 120 },
  ],
  logo: [{ name: 'logo', width: 400, height: 200 }],
} as const;

// whichever storage serves it (the local folder under /media/, an object store's host): the key's shape
const SKU_DETAIL = new RegExp(`^(.*/images/[0-9a-f]{2}/[0-9a-f]{32})-${SIZES.sku[0].width}\\.jpg$`);

/**
 * The URL of an uploaded SKU picture in another size ('card' for lists, 'thumb' for the detail
 * page's thumbnails); any other URL (the demo's SVGs, another host) is its own every size.
 */
export function pictureVariant(url: string, size: (typeof SIZES.sku)[number]['name']): string {
  const m = SKU_DETAIL.exec(url);
  if (!m) return url;
  const s = SIZES.sku.find((x) => x.name === size)!;
  return `${m[1]}-${s.width}.jpg`;
}

