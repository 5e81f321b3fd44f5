import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// `meiduo jobs` must start fast, and importing Agenda costs ~150 ms (luxon, cron-parser, date.js):
// the job-admin module, with the SQL store it loads, imports nothing from 'agenda' at run time.
// Types are fine (they are erased); the Redis and Mongo stores are loaded only when configured.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The npm packages `entry` imports, by kind of import, with everything of ours bundled in. */
async function packagesImportedBy(entry: string) {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && !i.path.startsWith('node:')));
  return (kind: string) => [...new Set(imports.filter((i) => i.kind === kind).map((i) => i.path))].sort();
}

describe('the meiduo command loads what a command needs, when it runs', () => {
  it('the dispatcher (jobs/cli.ts) imports no package before a command is chosen: `meiduo --help` loads nothing', async () => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ['jobs/cli.ts'],
      bundle: true,
      splitting: true,
      outdir: 'out', // not written
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    // follow only static imports from the entry: the commands are dynamic imports, their own chunks
    const outputs = result.metafile.outputs;
    const entry = Object.keys(outputs).find((k) => outputs[k]!.entryPoint === 'jobs/cli.ts')!;
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of outputs[file]!.imports) {
        if (i.kind !== 'import-statement') continue;
        if (!i.external) visit(i.path);
        else if (!i.path.startsWith('node:')) packages.add(i.path);
      }
    };
    visit(entry);
    expect([...packages]).toEqual([]);
  });

  it('`meiduo jobs` (jobs/commands/jobs.ts) loads no Agenda, whatever it imports on the way', async () => {
    const at = await packagesImportedBy('jobs/commands/jobs.ts');
    expect([...at('import-statement'), ...at('dynamic-import')]).not.toContain('agenda');
    expect(at('dynamic-import')).toEqual(['@agendajs/mongo-backend', '@agendajs/redis-backend']);
  });
});

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
