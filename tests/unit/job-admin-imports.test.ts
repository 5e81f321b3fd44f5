import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// `meiduo jobs` must start fast, and importing Agenda costs ~150 ms (luxon, cron-parser, date.js):
// the job-admin module, with the SQL store it loads, imports nothing from 'agenda' at run time.
// Types are fine (they are erased); the Redis and Mongo stores are loaded only when configured.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('jobs/job-admin.ts', () => {
  it('loads no Agenda code, and the other job stores only on demand', async () => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ['jobs/job-admin.ts'],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external));
    const at = (kind: string) => imports.filter((i) => i.kind === kind).map((i) => i.path).sort();
    expect(at('import-statement').filter((p) => !p.startsWith('node:'))).toEqual([]);
    expect(at('dynamic-import')).toEqual(['@agendajs/mongo-backend', '@agendajs/redis-backend']);
  });
});
