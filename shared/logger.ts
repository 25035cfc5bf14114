import { pino } from 'pino';

/**
 * Structured JSON logs. Privacy rule: never log query or document text; log
 * ids, counts, sizes, hashes and timings. The redact list is a safety net for
 * field names that would carry text, not a licence to pass them.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { service: process.env.POLYSEARCH_SERVICE ?? 'polysearch' },
  redact: {
    paths: ['text', 'texts', 'query', 'content', 'title', '*.text', '*.texts', '*.query', '*.content', '*.title'],
    censor: '[redacted]',
  },
});

export type Logger = typeof logger;
