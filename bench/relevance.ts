// Relevance benchmark on the real multilingual-e5-small: nDCG@10, Recall@10, MRR@10, zero-hit share and
// unanswerable-with-hit share per language and mode (keyword, semantic, hybrid) through the Search API,
// beside exact cosine (the semantic ceiling) and a BM25 peer computed in this process.
// The suite is bench/relevance/data (see its README). Without the real model it says why and exits 0.
//
//   npm run bench:relevance [-- --langs en,de --upsert-batch 16 --out bench/results/x.json]
//   DATABASE_URL=postgres://… runs search on PostgreSQL (a schema of its own, dropped afterwards); default embedded PGlite.
//   SEARCH_MIN_SCORE is passed to search as usual, and the exact≥cut column follows it.
//
// The services log through pino; keep this process's own info lines out of the report.
process.env.LOG_LEVEL ??= 'warn';
await import('./relevance/run.js');
