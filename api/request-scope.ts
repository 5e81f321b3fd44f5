import { AsyncLocalStorage } from 'node:async_hooks';

// Which request (or job run, or CLI command) the code running now works for. The logger reads it
// (api/logger.ts), so every line written while a request is handled carries its id — the lines of
// the services and providers it calls included — without passing a logger down the calls.

interface Scope {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<Scope>();

/** Runs `work` with `requestId` as the id of everything it logs. */
export function inRequestScope<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

/** The id of the request being handled here, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
