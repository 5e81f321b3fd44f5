import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_DIR, currentBuild } from '../../bin/compile.mjs';
import { ROOT, meiduo, run } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DB_KINDS } from '../helpers/env.ts';

// The admin's CLI as a person uses it: compiled ahead of time, strict about numbers and links, and
// `--wait` returning only once pages and search index are live, leaving no job lock behind. The site
// is built into a folder outside the project, as production keeps built sites in their own folder:
// the build, the re-renders and `meiduo serve` all work from there.

const fail = (args: string[], env: Record<string, string>) => run(args, env).then(() => null, (e: Error) => e.message);

describe('the compiled CLI', () => {
  it('runs from the compiled bundle, with the worker-thread entries beside it', async () => {
    const out = await run(['--help'], {});
    expect(out).toContain('meiduo <command>');
    const entry = currentBuild();
    expect(entry, 'bin/meiduo.mjs compiles when the sources changed, so the build is current afterwards').not.toBeNull();
    expect(path.dirname(entry!).startsWith(CACHE_DIR)).toBe(true);
    expect(fs.existsSync(path.join(path.dirname(entry!), 'search-publish.worker.mjs'))).toBe(true);
  });
});

describe.each(DB_KINDS)('meiduo CLI on %s', (kind) => {
  let t: TestDb;
  let env: Record<string, string>;
  let client: string;

  beforeAll(async () => {
    t = await createTestDb(kind, { seed: true });
    const distDir = path.join(os.tmpdir(), `meiduo-cli-${kind}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
    expect(path.relative(ROOT, distDir).startsWith('..')).toBe(true);
    env = { DATABASE_URL: t.url, DIST_DIR: distDir, MEDIA_DIR: t.mediaDir, LOG_LEVEL: 'warn', JOBS_POLL_MS: '100', JOBS_LOCK_MS: '30000' };
    await run(['build'], env);
    client = path.join(distDir, 'client');
  }, 240_000);

  afterAll(async () => {
    await t?.drop();
    if (env) fs.rmSync(env.DIST_DIR, { recursive: true, force: true });
  });

  const sku = async (id: number) => t.db('skus').where('id', id).first('stock', 'name', 'price');

  it('takes decimal digits only, as the API does, and changes nothing otherwise', async () => {
    const before = await sku(3);
    const bad: string[][] = [
      ['sku', 'update', '3', '--stock', '0x10'],
      ['sku', 'update', '3', '--stock', ''],
      ['sku', 'update', '3', '--stock', '1e1'],
      ['sku', 'update', '3', '--stock', '+1'],
      ['sku', 'update', '3', '--stock', ' 7'],
      ['sku', 'update', '3', '--stock', '-1'],
      ['sku', 'update', '3', '--stock', '1.0'],
      ['sku', 'update', '0b11', '--stock', '5'],
      ['sku', 'update', '1e0', '--stock', '5'],
      ['sku', 'update', '+3', '--stock', '5'],
      ['rebuild', '--sku', '0x3', '--no-wait'],
      ['content', 'update', '1', '--sequence', '0x1'],
      ['content', 'update', '1', '--sku', '1e0'],
      ['seed', '--skus', '0x10'],
    ];
    for (const args of bad) {
      const err = await fail(args, env);
      expect(err, args.join(' ')).toMatch(/→ 2\n/);
    }
    expect(await sku(3)).toEqual(before);
    expect(Number((await t.db('page_changes').count({ n: '*' }).first())?.n)).toBe(0);

    const ok = JSON.parse(await run(['sku', 'update', '3', '--stock', '16', '--json'], env));
    expect(ok).toMatchObject({ id: 3, stock: 16 });
  });

  it('refuses a content link that is not a site path or an http(s) URL', async () => {
    const [item] = JSON.parse(await run(['content', 'list', '--json'], env)) as { id: number; url: string }[];
    for (const url of ['javascript:alert(document.cookie)', ' JAVASCRIPT:alert(1)', 'data:text/html,<script>alert(1)</script>', '//evil.example/']) {
      const err = await fail(['content', 'update', String(item!.id), '--url', url], env);
      expect(err, url).toMatch(/→ 2\n/);
      expect(err, url).toMatch(/url/);
    }
    expect((await t.db('contents').where('id', item!.id).first('url')).url).toBe(item!.url);
    const ok = JSON.parse(await run(['content', 'update', String(item!.id), '--url', '/list/115/default/1.html', '--json'], env));
    expect(ok.url).toBe('/list/115/default/1.html');
  });

  const manifest = () => JSON.parse(fs.readFileSync(path.join(client, 'search', 'manifest.json'), 'utf8')) as { generation: string };
  /** The display rows of the published generation, all chunks. */
  const searchDocs = () => {
    const dir = path.join(client, 'search', manifest().generation);
    return fs.readdirSync(dir).filter((f) => /^d\d+\.json$/.test(f)).flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as [number, string][]);
  };
  const locks = async () =>
    (await t.db('agenda_jobs').whereNotNull('locked_at').select('name')).map((r: { name: string }) => r.name);

  it('--wait returns with pages and search index live; with no worker it works the queue itself and leaves no lock', async () => {
    const before = manifest();
    const name = `CLI 等待测试 ${crypto.randomBytes(2).toString('hex')}`;
    const started = Date.now();
    await run(['sku', 'update', '5', '--name', name, '--wait'], env);
    // the instant the command returns: the page, the published index and its display rows
    expect(fs.readFileSync(path.join(client, 'goods/5.html'), 'utf8')).toContain(name);
    const after = manifest();
    expect(after.generation).not.toBe(before.generation);
    expect(searchDocs().find((d) => d[0] === 5)?.[1]).toBe(name);
    expect(await locks(), 'a process that stops leaves no lock behind').toEqual([]);
    expect(Date.now() - started).toBeLessThan(60_000);

    // rebuild --search says it is done only once the index is published
    const m = manifest();
    await t.db('skus').where('id', 6).update({ name: `${name} 直改` }); // a write outside the editor: only --search publishes it
    const out = await run(['rebuild', '--search', '--json'], env);
    expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ applied: true });
    expect(manifest().generation).not.toBe(m.generation);
    expect(searchDocs().find((d) => d[0] === 6)?.[1]).toBe(`${name} 直改`);
    expect(await locks()).toEqual([]);
  }, 120_000);

  it('--wait with a worker running lets the worker do it, and a killed worker does not strand the edit', async () => {
    const worker = meiduo(['worker'], env);
    try {
      // wait until the worker has run its repeating job once
      const deadline = Date.now() + 30_000;
      while (!(await t.db('agenda_jobs').where('name', 'pages.rebuild').whereNotNull('last_finished_at').first('id'))) {
        if (Date.now() > deadline) throw new Error('worker did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      const name = `CLI 有工人 ${crypto.randomBytes(2).toString('hex')}`;
      await run(['sku', 'update', '7', '--name', name, '--wait'], env);
      expect(fs.readFileSync(path.join(client, 'goods/7.html'), 'utf8')).toContain(name);
      expect(searchDocs().find((d) => d[0] === 7)?.[1]).toBe(name);
    } finally {
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
    }
    // the worker is gone (killed: its locks stay until they expire); the CLI notices and works the queue itself
    const name = `CLI 工人走了 ${crypto.randomBytes(2).toString('hex')}`;
    await run(['sku', 'update', '8', '--name', name, '--wait'], { ...env, JOBS_LOCK_MS: '2000' });
    expect(fs.readFileSync(path.join(client, 'goods/8.html'), 'utf8')).toContain(name);
    expect(searchDocs().find((d) => d[0] === 8)?.[1]).toBe(name);
  }, 120_000);

  it('serves the shop from a DIST_DIR outside the project', async () => {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
      probe.on('error', reject);
    });
    const server = meiduo(['serve'], { ...env, PORT: String(port), HOST: '127.0.0.1', JOBS_IN_PROCESS: 'off' });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d) => (out += d) && out.includes('is open at') && resolve());
        server.once('exit', (code) => reject(new Error(`meiduo serve exited with ${code}`)));
      });
      for (const [url, text] of [['/', '美多商城'], ['/goods/1.html', (await sku(1)).name]] as const) {
        const res = await fetch(`http://127.0.0.1:${port}${url}`);
        expect(res.status, url).toBe(200);
        expect(await res.text(), url).toContain(text);
      }
    } finally {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
    }
  }, 60_000);
});
