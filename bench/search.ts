// Search benchmark on real PostgreSQL + pgvector: per-mode latency through
// the search process over gRPC as ratios against the same store calls made
// directly in this process (interleaved, same run: this machine is shared
// and noisy), and recall@10 of filtered HNSW against exact search.
// Loads a seeded synthetic corpus into a schema of its own and drops it at the end.
//
//   npm run bench:search [-- --docs 100000 --tenants 100 --queries 300 --recall-queries 100 --seed 1 --vectors clustered --clusters <docs/32>]
//   --vectors clustered (default: subtopic clusters with e5's cosine range) or uniform (random unit vectors, no structure)
//   quick run: npm run bench:search -- --docs 5000 --queries 50 --recall-queries 20
//   --skip-vacuum: ANALYZE only after the load (default VACUUM (ANALYZE), as autovacuum would)
//   --keep leaves the schema for EXPLAIN follow-ups; database: --database-url, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test
//
// The store logs through pino at import time; keep its info lines out of the report.
process.env.LOG_LEVEL ??= 'warn';
await import('./search/run.js');
