import { pino, type Logger } from 'pino';
import { currentRequestId } from './request-scope.ts';

export type { Logger };

// Logs go to stderr: stdout belongs to the commands' own output (`meiduo … --json` is parsed).
// Every line written inside a request, job run or CLI command carries its id as `req_id`
// (api/request-scope.ts), so `grep <X-Request-Id>` finds all a request did.
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const id = currentRequestId();
        return id === undefined ? {} : { req_id: id };
      },
    },
    destination,
  );
}
