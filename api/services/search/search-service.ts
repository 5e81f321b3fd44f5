import fs from 'node:fs/promises';
import path from 'node:path';
import type { RequestContext } from '../../context.ts';
import type { CatalogService } from '../catalog/catalog-service.ts';
import type { SkuSummary } from '../catalog/types.ts';
import { MANIFEST, SEARCH_DIR, type SearchManifest } from './publish.ts';
import { loadSearchIndex, searchIndex, type LoadedSearchIndex } from './search-index.ts';

// /api/search answers from the same published index the browser downloads. It re-reads the manifest
// at most once a second, so a newly published index is picked up without a restart. /api/health
// reports the published index from the manifest alone: loading the index itself is the first
// search's job, not a health probe's.

export class SearchService {
  private current: { manifest: SearchManifest; idx: LoadedSearchIndex } | null = null;
  private manifest: SearchManifest | null = null;
  private manifestAt = 0;
  private manifestRead: Promise<SearchManifest | null> | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly clientDir: string,
    private readonly catalog: CatalogService,
    private readonly recheckMs = 1000,
  ) {}

  /** The published manifest, read at most once per recheckMs (by the context's clock); null before the first publish. */
  private async publishedManifest(context: RequestContext): Promise<SearchManifest | null> {
    const now = context.clock.now().getTime();
    if (this.manifestAt && now - this.manifestAt < this.recheckMs && now >= this.manifestAt) return this.manifest;
    this.manifestRead ??= this.readManifest(now).finally(() => (this.manifestRead = null));
    return this.manifestRead;
  }

  private async readManifest(now: number): Promise<SearchManifest | null> {
    try {
      const file = path.join(this.clientDir, SEARCH_DIR, MANIFEST);
      this.manifest = JSON.parse(await fs.readFile(file, 'utf8')) as SearchManifest;
    } catch {
      // not built yet (keep null), or unreadable for a moment: keep what we had
    }
    this.manifestAt = now;
    return this.manifest;
  }

  private async refresh(context: RequestContext): Promise<void> {
    const manifest = await this.publishedManifest(context);
    if (!manifest || (this.current && this.current.manifest.index === manifest.index)) return;
    const json = JSON.parse(await fs.readFile(path.join(this.clientDir, SEARCH_DIR, manifest.index), 'utf8'));
    this.current = { manifest, idx: loadSearchIndex(json) };
  }

  private async ensure(context: RequestContext) {
    this.loading ??= this.refresh(context).finally(() => (this.loading = null));
    await this.loading;
  }

  /** File name of the published index (`index.<hash>.json`), or null when none is published. */
  async publishedIndex(context: RequestContext): Promise<string | null> {
    return (await this.publishedManifest(context))?.index ?? null;
  }

  async search(context: RequestContext, q: string, page: number, pageSize: number): Promise<{ count: number; results: SkuSummary[]; index: string | null }> {
    await this.ensure(context);
    if (!this.current) return { count: 0, results: [], index: null };
    const ids = searchIndex(this.current.idx, q);
    const slice = ids.slice((page - 1) * pageSize, page * pageSize);
    // Ranking comes from the index; name and price come from the database so they are never stale.
    const results = await this.catalog.summaries(context, slice);
    return { count: ids.length, results, index: this.current.manifest.index };
  }
}
