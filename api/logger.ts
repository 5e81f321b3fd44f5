import { pino, type Logger } from 'pino';

export type { Logger };

// Logs go to stderr: stdout belongs to the commands' own output (`meiduo … --json` is parsed).
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}
