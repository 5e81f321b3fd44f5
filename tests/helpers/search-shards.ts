import type { SearchDisplayRow, SearchDoc, SearchStats } from '../../api/services/search/search-index.ts';
import { ShardBuilder, type BuildOptions } from '../../api/services/search/shard-builder.ts';
import {
  TABLE_FILE, bigListsOfQuery, decodeTable, parseShard, searchShards, shardFile, shardOf, shardsOfQuery,
  type BigListJson, type DocTableJson, type QueryInput, type Shard, type ShardEntry,
} from '../../api/services/search/shards.ts';

// The sharded publication in memory (ShardBuilder's files, through JSON), and a query run on it the
// way the browser and /api/search run one: for tests that compare it with Lunr or judge its results.

export interface Publication {
  files: Map<string, unknown>;
  shards: number;
  fields: string[];
}

export function publish(docs: SearchDoc[], opts?: BuildOptions, display?: (d: SearchDoc) => SearchDisplayRow): Publication {
  const b = new ShardBuilder();
  for (const d of docs) b.add(d, display ? display(d) : [d.id, d.name, '', '', 0]);
  const out = b.build(opts);
  const files = new Map<string, unknown>();
  for (const [name, text] of out.files) files.set(name, JSON.parse(text));
  return { files, shards: out.shards, fields: out.fields };
}

/** A query as a reader runs it: table, the query's shards, then the big lists its plan keeps. */
export function query(pub: Publication, q: string, fetched?: string[]): { ids: number[]; scores: number[] } {
  const shards = new Map<number, Shard>();
  for (const k of shardsOfQuery(q, pub.shards)) {
    shards.set(k, parseShard(pub.files.get(shardFile(k)) as ShardEntry[]));
    fetched?.push(shardFile(k));
  }
  const input: QueryInput = {
    table: decodeTable(pub.files.get(TABLE_FILE) as DocTableJson),
    fields: pub.fields,
    entry: (t) => shards.get(shardOf(t, pub.shards))?.get(t),
    big: new Map(),
  };
  for (const name of bigListsOfQuery(q, input)) {
    input.big!.set(name, pub.files.get(name) as BigListJson);
    fetched?.push(name);
  }
  const stats: SearchStats = { clauses: 0, postings: 0, hits: 0, scores: [] };
  const ids = searchShards(q, input, stats);
  return { ids, scores: stats.scores! };
}

