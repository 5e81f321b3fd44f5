import type { Config } from '../../api/config.ts';
import { args } from './arguments.ts';
import { withDb } from './terminal.ts';

/** `meiduo build`: every page and the search index into a new release under DIST_DIR. */
export async function run(config: Config, argv: string[]) {
  args(argv, {});
  const { buildSite } = await import('../build.ts');
  const summary = await withDb(config, (db) => buildSite(config, db, { logLevel: 'warn' }));
  console.log(
    `built ${summary.pages} pages, live in ${summary.seconds.toFixed(1)} s (${summary.pagesPerSecond.toFixed(0)} pages/s, peak RSS ${summary.peakRssMb.toFixed(0)} MB; ` +
      `${summary.compressedFiles} files precompressed in ${summary.compressSeconds.toFixed(1)} s, ${summary.compressAfterLiveSeconds.toFixed(1)} s of it after the swap: done in ${summary.totalSeconds.toFixed(1)} s); ` +
      `search index: ${summary.searchDocs} SKUs, ${(summary.searchIndexBytes / 1024).toFixed(0)} KB, ${(summary.searchIndexGzipBytes / 1024).toFixed(0)} KB gzip; ${summary.sitemapFiles} sitemap files and robots.txt; ` +
      `steps: astro ${summary.phases.astro.toFixed(1)} s, goods and list pages ${summary.phases.pages.toFixed(1)} s while the search index took ${summary.phases.search.toFixed(1)} s, sitemaps ${summary.phases.sitemaps.toFixed(1)} s`,
  );
}
