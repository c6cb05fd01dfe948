/**
 * pino JSON logs, one line per event. Anything that could hold an API key is redacted at the
 * logger, so a careless call site cannot leak one.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(service: string, level: string = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['token', 'apiKey', 'key', 'headers.authorization', 'headers["x-api-key"]', 'req.headers.authorization', 'req.headers["x-api-key"]', '*.token', '*.apiKey'],
      censor: '[redacted]',
    },
  });
}
