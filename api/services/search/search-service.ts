import fs from 'node:fs/promises';
import path from 'node:path';
import type { RequestContext } from '../../context.ts';
import type { CatalogService } from '../catalog/catalog-service.ts';
import type { SkuSummary } from '../catalog/types.ts';
import { MANIFEST, SEARCH_DIR } from './publish.ts';
import { createScratch, type LoadedSearchIndex } from './search-index.ts';
import {
  ShardText, TABLE_FILE, parseBigList, bigListsOfQuery, decodeTable, searchShards, shardFile, shardOf, shardsOfQuery,
  type DocTable, type DocTableJson, type QueryInput, type SearchManifest,
} from './shards.ts';

// /api/search answers from the same published generation the browser reads (shards.ts), lazily:
// the doc table once per generation, then the shards (and big lists) its queries need, parsed and
// kept in a bounded cache, so a process stays small however big the catalog. It re-reads the
// manifest at most once a second, so a newly published index is picked up without a restart.
// /api/health reports the published generation from the manifest alone.

/**
 * Generation files kept per process, bounded by the bytes of the files. They are kept compact: a
 * shard as its text, whose entries are parsed one by one as queries ask for them (shardEntryOf), a
 * big list as one Int32Array per field (parseBigList) — not as parsed JSON, whose arrays took a few
 * times the file's size and, read again after each eviction, were most of what a query allocated.
 * 32 MiB holds a 10,000-SKU publication whole (~4 MB) and most of a 100,000-SKU one (~39 MB): after
 * 1,000 mixed queries at 100,000 SKUs the web process holds ~210 MB instead of 275–300 MB
 * (docs/benchmarks.md). Smaller caches read and parse more, which costs memory too.
 */
const CACHE_BYTES = 32 * 1024 * 1024;

/** A Map in least-recently-used order, holding entries of at most `max` bytes in all. */
class Lru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e?.value;
  }
  set(key: string, value: V, bytes: number) {
    this.delete(key);
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [k] of this.entries) {
      if (this.bytes <= this.max || this.entries.size === 1) break;
      this.delete(k);
    }
  }
  delete(key: string) {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}

interface Generation {
  manifest: SearchManifest;
  table: DocTable;
  scratch: LoadedSearchIndex['scratch'];
  files: Lru<Promise<unknown>>;
}

export class SearchService {
  private current: Generation | null = null;
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
      const m = JSON.parse(await fs.readFile(file, 'utf8')) as SearchManifest;
      // a manifest of another format (a release from before issue 18) names no generation: none yet
      this.manifest = m.version === 2 ? m : null;
    } catch {
      // not built yet (keep null), or unreadable for a moment: keep what we had
    }
    this.manifestAt = now;
    return this.manifest;
  }

  private async refresh(context: RequestContext): Promise<void> {
    const manifest = await this.publishedManifest(context);
    if (!manifest || this.current?.manifest.generation === manifest.generation) return;
    const table = decodeTable(JSON.parse(await fs.readFile(this.file(manifest, TABLE_FILE), 'utf8')) as DocTableJson);
    this.current = { manifest, table, scratch: createScratch(table.ids.length), files: new Lru(CACHE_BYTES) };
  }

  private file(manifest: SearchManifest, name: string) {
    return path.join(this.clientDir, SEARCH_DIR, manifest.generation, name);
  }

  /** A generation file, parsed from its bytes, from the cache or the disk. */
  private read<T>(g: Generation, name: string, parse: (bytes: Buffer) => T): Promise<T> {
    let p = g.files.get(name) as Promise<T> | undefined;
    if (!p) {
      p = fs.readFile(this.file(g.manifest, name)).then((buf) => {
        const value = parse(buf);
        if (g.files.get(name) === p) g.files.set(name, p!, buf.length); // its size known now
        return value;
      });
      g.files.set(name, p, 0);
      p.catch(() => g.files.delete(name)); // a failed read is retried by the next query
    }
    return p;
  }

  private async ensure(context: RequestContext) {
    this.loading ??= this.refresh(context).finally(() => (this.loading = null));
    await this.loading;
  }

  /** The published generation (its folder under search/), or null when none is published. */
  async publishedIndex(context: RequestContext): Promise<string | null> {
    return (await this.publishedManifest(context))?.generation ?? null;
  }

  async search(context: RequestContext, q: string, page: number, pageSize: number): Promise<{ count: number; results: SkuSummary[]; index: string | null }> {
    await this.ensure(context);
    const g = this.current;
    if (!g) return { count: 0, results: [], index: null };
    const { manifest } = g;
    const shards = new Map<number, ShardText>();
    await Promise.all(shardsOfQuery(q, manifest.shards).map(async (k) => shards.set(k, await this.read(g, shardFile(k), (bytes) => new ShardText(bytes.toString('utf8'))))));
    const input: QueryInput = { table: g.table, fields: manifest.fields, entry: (t) => shards.get(shardOf(t, manifest.shards))?.get(t), big: new Map(), scratch: g.scratch };
    await Promise.all(bigListsOfQuery(q, input).map(async (name) => input.big!.set(name, await this.read(g, name, parseBigList))));
    const ids = searchShards(q, input);
    const slice = ids.slice((page - 1) * pageSize, page * pageSize);
    // Ranking comes from the index; name and price come from the database so they are never stale.
    const results = await this.catalog.summaries(context, slice);
    return { count: ids.length, results, index: manifest.generation };
  }
}
