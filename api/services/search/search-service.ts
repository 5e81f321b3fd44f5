import fs from 'node:fs/promises';
import path from 'node:path';
import type { CatalogService } from '../catalog/catalog-service.ts';
import type { SkuSummary } from '../catalog/types.ts';
import { MANIFEST, SEARCH_DIR, type SearchManifest } from './publish.ts';
import { loadSearchIndex, searchIndex, type LoadedSearchIndex } from './search-index.ts';

// /api/search answers from the same published index the browser downloads. It re-reads the manifest
// at most once a second, so a newly published index is picked up without a restart.

export class SearchService {
  private current: { manifest: SearchManifest; idx: LoadedSearchIndex } | null = null;
  private checkedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly clientDir: string,
    private readonly catalog: CatalogService,
    private readonly recheckMs = 1000,
  ) {}

  private async refresh(): Promise<void> {
    const dir = path.join(this.clientDir, SEARCH_DIR);
    let manifest: SearchManifest;
    try {
      manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as SearchManifest;
    } catch {
      return; // not built yet: keep whatever we have
    }
    if (this.current && this.current.manifest.index === manifest.index) return;
    const json = JSON.parse(await fs.readFile(path.join(dir, manifest.index), 'utf8'));
    this.current = { manifest, idx: loadSearchIndex(json) };
  }

  private async ensure() {
    const now = Date.now();
    if (this.current && now - this.checkedAt < this.recheckMs) return;
    this.checkedAt = now;
    this.loading ??= this.refresh().finally(() => (this.loading = null));
    await this.loading;
  }

  get indexVersion(): string | null {
    return this.current?.manifest.index ?? null;
  }

  async search(q: string, page: number, pageSize: number): Promise<{ count: number; results: SkuSummary[]; index: string | null }> {
    await this.ensure();
    if (!this.current) return { count: 0, results: [], index: null };
    const ids = searchIndex(this.current.idx, q);
    const slice = ids.slice((page - 1) * pageSize, page * pageSize);
    // Ranking comes from the index; name and price come from the database so they are never stale.
    const results = await this.catalog.summaries(slice);
    return { count: ids.length, results, index: this.current.manifest.index };
  }
}
