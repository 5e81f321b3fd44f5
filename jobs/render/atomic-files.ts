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
