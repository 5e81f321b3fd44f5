import fs from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './runtime.ts';

// A built release's server bundle (DIST_DIR/releases/<id>/server, imported by the build's prerender
// step and by the re-render thread) imports its packages by name — astro's own (piccolore, …), knex,
// the drivers — and Node looks for them in the node_modules folders above the importing file. Inside
// the project that walk finds the project's; a DIST_DIR anywhere else gets DIST_DIR/node_modules, a
// link to the project's. A link rather than bundling the packages into the server bundle (vite
// ssr.noExternal): the native and server-only packages (better-sqlite3, knex, the drivers) cannot be
// bundled anyway, and Node follows the link to the real files, so the release runs on exactly the
// packages the project has installed, as it does inside the project. (NODE_PATH is not read by
// ESM imports at all.)

/** Makes DIST_DIR's releases find the project's packages. Returns the link it made, or null when none is needed. */
export async function linkPackages(distDir: string): Promise<string | null> {
  const inside = path.relative(ROOT, path.resolve(distDir));
  if (inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside))) return null;
  const link = path.join(distDir, 'node_modules');
  const target = path.join(ROOT, 'node_modules');
  const stat = await fs.lstat(link).catch(() => null);
  if (stat && !stat.isSymbolicLink()) return null; // a node_modules folder put there by hand is used as it is
  if (stat && (await fs.readlink(link)) === target) return link;
  // a link to another checkout's packages (the project moved, another checkout built here) is replaced
  await fs.mkdir(distDir, { recursive: true });
  const tmp = `${link}.${process.pid}.tmp`;
  await fs.rm(tmp, { force: true });
  await fs.symlink(target, tmp, 'junction');
  await fs.rename(tmp, link);
  return link;
}
