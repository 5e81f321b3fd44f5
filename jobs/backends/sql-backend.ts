import type { AgendaBackend } from 'agenda';
import type { Knex } from 'knex';
import { KnexJobRepository } from './sql-repository.ts';

// Agenda's backend for our own database: the jobs live in a table of the shop's SQLite or MariaDB
// (migration 2026-11-25-01-jobs), so the embedded default needs no Redis or MongoDB. There is no
// notification channel: Agenda then polls every `processEvery`, which is what a SQL table offers.
// (A process that wants in-process wake-ups can pass Agenda its own `notificationChannel`.)

export interface KnexBackendOptions {
  db: Knex;
  /** Defaults to agenda_jobs, the table the migration creates. */
  tableName?: string;
  /** After how long repository.lockJob may take over a lock (default 10 minutes, as Agenda's). */
  lockLifetime?: number;
}

export class KnexBackend implements AgendaBackend {
  readonly name = 'SQL';
  readonly repository: KnexJobRepository;
  // The knex pool belongs to whoever created it (the app shares it with everything else), so
  // agenda.stop() must not close it.
  readonly ownsConnection = false;

  constructor({ db, tableName, lockLifetime }: KnexBackendOptions) {
    this.repository = new KnexJobRepository({ db, tableName, lockLifetime });
  }

  async connect(): Promise<void> {
    await this.repository.connect();
  }

  // Nothing of our own to release: the pool is the caller's (see ownsConnection).
  async disconnect(): Promise<void> {}
}
