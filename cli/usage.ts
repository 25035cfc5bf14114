export const USAGE = `polysearch — load and query a polysearch search service

Usage:
  polysearch ingest FILE --tenant T [--locale L] [--batch N] [--format jsonl|csv]
                         [--checkpoint PATH] [--restart] [--progress-every SECONDS]
  polysearch search "QUERY" --tenant T [--mode hybrid|semantic|keyword] [--locale L]
                         [--limit N] [--page-token TOKEN] [--json]
  polysearch stats [--tenant T] [--json]

Connection (every command; flags win over the environment):
  --address HOST:PORT       search service (POLYSEARCH_ADDRESS, default localhost:50052)
  --tls-ca PEM              TLS: CA of the server certificate (POLYSEARCH_TLS_CA)
  --tls-cert PEM --tls-key PEM   mTLS client certificate (POLYSEARCH_TLS_CERT / _KEY)
  --tls-server-name NAME    name to check the certificate against (POLYSEARCH_TLS_SERVER_NAME)
  --deadline-ms MS          budget of one call, retries included (ingest 60000, others 10000)

ingest reads JSONL (one object per line) or CSV (a header line, then one row per
document); the format follows the extension (.jsonl, .ndjson, .csv) unless
--format says. Fields / columns: id (required, unique in the file), title,
content, locale (else --locale), source_type, metadata (JSONL object) or
metadata.KEY (a column per key). Every line is checked before anything is sent.
After each acknowledged batch a checkpoint (FILE.polysearch-checkpoint.json)
lets a rerun of the same command resume; documents the service already holds
unchanged are reported as unchanged and not embedded again.

Exit codes: 0 done · 1 internal error · 2 usage · 3 input file errors (FILE:LINE: why)
· 4 service unavailable (rerun to resume) · 5 refused by the service · 130 interrupted
`;
