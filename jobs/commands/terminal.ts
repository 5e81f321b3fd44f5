import type { Knex } from 'knex';
import type { Config } from '../../api/config.ts';

// What the commands share besides arguments: a database for the command's length, output as text
// or --json, a progress bar on a terminal, and staying up until a signal.

/** A knex pool for `fn`, destroyed when it ends. */
export async function withDb<T>(config: Config, fn: (db: Knex) => Promise<T>): Promise<T> {
  const { createDb } = await import('../../api/db/knex.ts');
  const db = createDb(config.database);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** A command acts as the system, in a context of its own (its request id marks its log lines). */
export async function cliContext(db: Knex, command: string): Promise<import('../../api/context.ts').RequestContext> {
  const [{ systemContext }, { systemClock }] = await Promise.all([import('../../api/context.ts'), import('../../api/clock.ts')]);
  return systemContext(`cli:${command}`, { db, clock: systemClock });
}

export const out = (json: boolean | undefined, data: unknown, text: string) => console.log(json ? JSON.stringify(data) : text);

/** A progress bar on a terminal; null when the output goes elsewhere (a log, a pipe). */
export async function progressBar(format: string) {
  if (!process.stdout.isTTY) return null;
  const { SingleBar, Presets } = await import('cli-progress');
  return new SingleBar({ format }, Presets.shades_classic);
}

/** Runs until SIGINT/SIGTERM, then closes everything it opened. */
export function untilSignal(close: () => Promise<void>) {
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
