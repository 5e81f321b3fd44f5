import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// What a built page makes the browser download of its own code: the /_astro/ scripts and stylesheets
// its HTML names, and every chunk those scripts import (followed transitively), gzip-compressed as
// the server sends them. The console's budget (docs/admin-console.md) is checked with it.

const IMPORT = /(?:import|from)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js|\/_astro\/[^"']+\.js)["']/g;

export interface PageWeight {
  files: string[];
  gzipBytes: number;
}

export function pageWeight(clientDir: string, htmlFile: string): PageWeight {
  const html = fs.readFileSync(path.join(clientDir, htmlFile), 'utf8');
  const queue = [...html.matchAll(/(?:src|href)="(\/_astro\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    if (!url.endsWith('.js')) continue;
    const js = fs.readFileSync(path.join(clientDir, url), 'utf8');
    for (const m of js.matchAll(IMPORT)) queue.push(m[1]!.startsWith('/') ? m[1]! : path.posix.join(path.posix.dirname(url), m[1]!));
  }
  const files = [...seen].sort();
  const gzipBytes = files.reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(clientDir, f)), { level: 9 }).length, 0);
  return { files, gzipBytes };
}
