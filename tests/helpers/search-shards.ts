import { createScratch, type LoadedSearchIndex, type SearchDisplayRow, type SearchDoc, type SearchStats } from '../../api/services/search/search-index.ts';
import { ShardBuilder, type BuildOptions } from '../../api/services/search/shard-builder.ts';
import {
  ShardText, TABLE_FILE, bigListsOfQuery, decodeTable, parseBigList, parseShard, searchShards, shardFile, shardOf, shardsOfQuery,
  type BigListJson, type DocTable, type DocTableJson, type QueryInput, type ShardEntry,
} from '../../api/services/search/shards.ts';

// The sharded publication in memory (ShardBuilder's files, through JSON), and a query run on it the
// way the browser or /api/search runs one: for tests that compare it with Lunr or judge its results.

export interface Publication {
  /** Each file parsed (JSON.parse), as the browser reads it. */
  files: Map<string, unknown>;
  /** Each file's text, as /api/search reads it (shards kept as text, big lists read from bytes). */
  texts: Map<string, string>;
  shards: number;
  fields: string[];
  table: DocTable;
  /** One scratch for every query of the 'api' reader, as SearchService keeps one per generation. */
  scratch: LoadedSearchIndex['scratch'];
}

/** The browser parses whole files; /api/search (SearchService) parses a shard's entries one by one and big lists into typed arrays. */
export type Reader = 'browser' | 'api';

export function publish(docs: SearchDoc[], opts?: BuildOptions, display?: (d: SearchDoc) => SearchDisplayRow): Publication {
  const b = new ShardBuilder();
  for (const d of docs) b.add(d, display ? display(d) : [d.id, d.name, '', '', 0]);
  const out = b.build(opts);
  return publication(out.files, out.shards, out.fields);
}

/** A publication from its files' texts (name → JSON text). */
export function publication(texts: Iterable<[string, string]>, shards: number, fields: string[]): Publication {
  const files = new Map<string, unknown>();
  const kept = new Map<string, string>();
  for (const [name, text] of texts) {
    files.set(name, JSON.parse(text));
    kept.set(name, text);
  }
  const table = decodeTable(files.get(TABLE_FILE) as DocTableJson);
  return { files, texts: kept, shards, fields, table, scratch: createScratch(table.ids.length) };
}

/** A query as a reader runs it: table, the query's shards, then the big lists its plan keeps. */
export function query(pub: Publication, q: string, fetched?: string[], reader: Reader = 'browser'): { ids: number[]; scores: number[] } {
  const shards = new Map<number, { get(term: string): ShardEntry | undefined }>();
  for (const k of shardsOfQuery(q, pub.shards)) {
    const name = shardFile(k);
    shards.set(k, reader === 'api' ? new ShardText(pub.texts.get(name)!) : parseShard(pub.files.get(name) as ShardEntry[]));
    fetched?.push(name);
  }
  const input: QueryInput = {
    table: pub.table,
    fields: pub.fields,
    entry: (t) => shards.get(shardOf(t, pub.shards))?.get(t),
    big: new Map(),
    scratch: reader === 'api' ? pub.scratch : undefined,
  };
  for (const name of bigListsOfQuery(q, input)) {
    input.big!.set(name, reader === 'api' ? parseBigList(new TextEncoder().encode(pub.texts.get(name)!)) : (pub.files.get(name) as BigListJson));
    fetched?.push(name);
  }
  const stats: SearchStats = { clauses: 0, postings: 0, hits: 0, scores: [] };
  const ids = searchShards(q, input, stats);
  return { ids, scores: stats.scores! };
}

