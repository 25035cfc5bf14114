import type { Db, Queryable } from '../db.js';

/** One statement the store sent, and the store function that sent it. */
export interface RecordedStatement {
  sql: string;
  caller: string;
}

/**
 * Wraps a Db so that every statement sent through it (and through the `tx`
 * of its transactions) is recorded, with the store function that sent it
 * (read from the stack: the first frame in store/ outside test-support).
 */
export function recordingDb(db: Db, record: (statement: RecordedStatement) => void): Db {
  const wrap = (q: Queryable): Queryable['query'] => (sql, params) => {
    record({ sql, caller: storeCaller(new Error().stack ?? '') });
    return q.query(sql, params);
  };
  return {
    backend: db.backend,
    query: wrap(db),
    transaction: (fn) => db.transaction((tx) => fn({ query: wrap(tx) })),
    close: () => db.close(),
  };
}

function storeCaller(stack: string): string {
  for (const line of stack.split('\n').slice(1)) {
    const m = /at (?:async )?(?:([\w.<>$]+) \()?.*?store\/(?!test-support\/)([\w-]+\.ts):(\d+)/.exec(line);
    if (m) return `${m[2]}:${m[3]}${m[1] ? ` ${m[1]}` : ''}`;
  }
  return 'unknown';
}
