// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// Pages are prebuilt into dist/client; the node adapter (middleware mode) compiles the on-demand
// twins that jobs use to re-render single pages. Koa (api/) serves both, so Astro never listens.
// Each build loads the catalog afresh (site/lib/build-catalog.ts keeps it on globalThis).
const freshSnapshot = {
  name: 'meiduo-fresh-snapshot',
  hooks: {
    'astro:build:start': () => {
      delete globalThis[Symbol.for('meiduo.build.snapshot')];
    },
  },
};

export default defineConfig({
  integrations: [freshSnapshot],
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
  adapter: node({ mode: 'middleware' }),
  trailingSlash: 'ignore',
  // Nothing inlined: the Content-Security-Policy (api/middleware/security-headers.ts) allows scripts
  // and styles from 'self' only, and the browser test checks that pages raise no violation.
  build: { format: 'file', concurrency: 4, inlineStylesheets: 'never' },
  compressHTML: true,
  devToolbar: { enabled: false },
  vite: {
    // Native and server-only packages stay outside the bundle.
    ssr: { external: ['better-sqlite3', 'mysql2', 'knex', 'ioredis', 'lunr', 'sanitize-html'] },
    build: { assetsInlineLimit: 0 },
  },
});
