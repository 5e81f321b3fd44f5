import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

// Pages are replaced by writing a temp file beside them and renaming it over the old one: rename(2)
// is atomic on one filesystem, so a reader (the static server, nginx) sees the old page or the new
// one, never half of either — also when the worker is killed mid-write.

export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** true when the file existed. */
export async function removeFile(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Temp files left by a writer that was killed between write and rename. */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let n = 0;
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.\d+\.[0-9a-f]{8}\.tmp$/.test(e.name)) {
        await fs.rm(p, { force: true });
        n++;
      }
    }
  };
  await walk(dir);
  return n;
}
