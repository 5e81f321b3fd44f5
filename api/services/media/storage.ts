import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

// Where uploaded pictures are kept. A key is a relative path such as 'images/3f/3fa9….-800.jpg'
// (api/services/media/pictures.ts names them by content hash); the adapter stores the bytes and
// says under which URL the shop serves them. The default keeps them in a local folder
// (config.mediaDir), served under /media by the app (api/app.ts) as the demo pictures are; an object
// store (S3, OSS) would be another implementation of this interface with its own public URL.

export interface MediaStorage {
  /** Stores `data` under `key`, replacing what is there; a reader never sees a half-written file. */
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** Removes `key`; nothing happens when it is not there. */
  remove(key: string): Promise<void>;
  /** Whether `key` is stored. */
  exists(key: string): Promise<boolean>;
  /** The URL pages and answers use for `key`. */
  url(key: string): string;
  /** The key of a URL this storage serves, or null for any other URL (demo pictures, other hosts). */
  keyOf(url: string): string | null;
}

const KEY = /^[a-z]+\/[0-9a-f]{2}\/[0-9a-f]{16,64}(-[a-z0-9]+)?\.(jpg|png|webp)$/;

/** The local folder under `/media` (config.mediaDir). */
export class LocalMediaStorage implements MediaStorage {
  constructor(private readonly root: string, private readonly prefix = '/media/') {}

  private file(key: string): string {
    // keys are made by this module's callers from hex hashes; anything else is a programming error
    if (!KEY.test(key)) throw new Error(`not a media key: ${key}`);
    return path.join(this.root, key);
  }

  async put(key: string, data: Buffer, _contentType?: string): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // a temp name the static server never serves (dot-names are refused), renamed over the target
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomUUID()}.tmp`);
    try {
      await fs.writeFile(temp, data);
      await fs.rename(temp, file);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return fs.stat(this.file(key)).then((s) => s.isFile(), () => false);
  }

  url(key: string): string {
    return this.prefix + key;
  }

  keyOf(url: string): string | null {
    if (!url.startsWith(this.prefix)) return null;
    const key = url.slice(this.prefix.length);
    return KEY.test(key) ? key : null;
  }
}
