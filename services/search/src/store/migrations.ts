import { failedPrecondition, invalidArgument } from '../../../../shared/errors.js';
import { logger } from '../../../../shared/logger.js';
import type { Db, Queryable } from './db.js';
import { sqlState } from './db-errors.js';
import { quoteIdent } from './identifiers.js';
import { CJK_REGEX_SQL, keywordTextFunctionSql, passageTsvectorSql } from './text-index.js';

const log = logger.child({ component: 'search-migrations' });

export interface MigrationOptions {
  /** Schema holding the search tables (validated, then quoted). Created when missing. */
  schema: string;
  /** Embedding dimensions; must match the embedder's model (multilingual-e5-small: 384). */
  dims?: number;
  /** HNSW graph degree (pgvector default 16). Only used when the index is created. */
  hnswM?: number;
  /** HNSW build candidate list (pgvector default 64). Only used when the index is created. */
  hnswEfConstruction?: number;
}

export interface MigrationResult {
  schema: string;
  dims: number;
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  /** The pgvector version installed in the database. */
  vectorVersion: string;
}

interface MigrationParams {
  s: string;
  dims: number;
  m: number;
  efConstruction: number;
}

interface Migration {
  version: number;
  name: string;
  statements(p: MigrationParams): string[];
}

/** Append-only: never edit an applied migration, add a new version. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents_and_passages',
    statements: ({ s, dims, m, efConstruction }) => [
      `CREATE TABLE ${s}.documents (
        tenant_id      text        NOT NULL,
        id             text        NOT NULL,
        locale         text        NOT NULL DEFAULT '',
        source_type    text        NOT NULL DEFAULT '',
        title          text        NOT NULL DEFAULT '',
        content        text        NOT NULL DEFAULT '',
        metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb,
        content_sha256 text        NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`,
      `CREATE INDEX documents_tenant_locale_idx ON ${s}.documents (tenant_id, locale)`,
      `CREATE INDEX documents_metadata_idx ON ${s}.documents USING gin (metadata jsonb_path_ops)`,
      `CREATE TABLE ${s}.passages (
        tenant_id        text        NOT NULL,
        doc_id           text        NOT NULL,
        idx              integer     NOT NULL,
        content          text        NOT NULL,
        char_start       integer     NOT NULL,
        char_end         integer     NOT NULL,
        ts_config        regconfig   NOT NULL,
        tsv              tsvector    NOT NULL,
        embedding        vector(${dims}),
        fingerprint      text,
        embedded_at      timestamptz,
        claim_expires_at timestamptz,
        PRIMARY KEY (tenant_id, doc_id, idx),
        FOREIGN KEY (tenant_id, doc_id) REFERENCES ${s}.documents (tenant_id, id) ON DELETE CASCADE
      )`,
      `CREATE INDEX passages_embedding_hnsw_idx ON ${s}.passages
         USING hnsw (embedding vector_cosine_ops) WITH (m = ${m}, ef_construction = ${efConstruction})`,
      `CREATE INDEX passages_tsv_idx ON ${s}.passages USING gin (tsv)`,
      `CREATE INDEX passages_pending_idx ON ${s}.passages (tenant_id, doc_id, idx) WHERE embedding IS NULL`,
      `CREATE INDEX passages_fingerprint_idx ON ${s}.passages (fingerprint) WHERE embedding IS NOT NULL`,
    ],
  },
  {
    version: 2,
    name: 'keyword_text_cjk_bigrams',
    // Keyword terms now go through keyword_text (text-index.ts): NFKC, CJK runs as bigrams. Only rows
    // whose title or passage that changes are re-derived (CJK, or not NFKC-normal); a Latin-only
    // tenant's rows are left untouched, so its GIN and HNSW entries are not rewritten.
    statements: ({ s }) => [
      keywordTextFunctionSql(s),
      `UPDATE ${s}.passages p
          SET tsv = ${passageTsvectorSql(s, 'p.ts_config', 'd.title', 'p.content')}
         FROM ${s}.documents d
        WHERE d.tenant_id = p.tenant_id AND d.id = p.doc_id
          AND (d.title ~ '${CJK_REGEX_SQL}' OR p.content ~ '${CJK_REGEX_SQL}'
               OR d.title IS NOT NFKC NORMALIZED OR p.content IS NOT NFKC NORMALIZED)`,
    ],
  },
];

export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1].version;

export const DEFAULT_DIMS = 384;
export const DEFAULT_HNSW_M = 16;
export const DEFAULT_HNSW_EF_CONSTRUCTION = 64;
/** Iterative index scans (hnsw.iterative_scan), which filtered queries rely on, arrived in 0.8.0. */
const MIN_VECTOR_VERSION = [0, 8, 0];

function checkedInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer in ${min}..${max}`, 'invalid_store_config');
  }
  return value;
}

/**
 * Brings `schema` to the latest version. Safe to call from several replicas at
 * once: each migration run holds a transaction-scoped advisory lock keyed by a
 * hash of the schema name, and `schema_migrations` records what is applied, so
 * late arrivals wait, then find nothing to do.
 */
export async function migrate(db: Db, options: MigrationOptions): Promise<MigrationResult> {
  const s = quoteIdent(options.schema);
  const params: MigrationParams = {
    s,
    dims: checkedInt('dims', options.dims ?? DEFAULT_DIMS, 1, 2000),
    m: checkedInt('hnsw m', options.hnswM ?? DEFAULT_HNSW_M, 2, 100),
    efConstruction: checkedInt('hnsw ef_construction', options.hnswEfConstruction ?? DEFAULT_HNSW_EF_CONSTRUCTION, 4, 1000),
  };
  if (params.efConstruction < 2 * params.m) {
    throw invalidArgument('hnsw ef_construction must be at least 2 * m', 'invalid_store_config');
  }
  const started = performance.now();
  const vectorVersion = await ensureVectorExtension(db);

  const applied = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`polysearch:migrate:${options.schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version    integer     PRIMARY KEY,
         name       text        NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await tx.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)).rows.map((r) => Number(r.version)),
    );
    const newest = Math.max(0, ...done);
    if (newest > LATEST_MIGRATION) {
      throw failedPrecondition(
        `schema "${options.schema}" is at migration ${newest}, newer than this build knows (${LATEST_MIGRATION}); deploy the newer search service`,
        'schema_too_new',
      );
    }
    const newlyApplied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements(params)) await tx.query(statement);
      await tx.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      newlyApplied.push(migration.version);
    }
    await assertDims(tx, options.schema, params.dims);
    await warnOnIndexParams(tx, options.schema, params);
    return newlyApplied;
  });

  log.info(
    { schema: options.schema, applied, dims: params.dims, vectorVersion, tookMs: Math.round(performance.now() - started) },
    applied.length > 0 ? 'search schema migrated' : 'search schema up to date',
  );
  return { schema: options.schema, dims: params.dims, applied, vectorVersion };
}

/** The configured dimensions must match the column: vectors of another size cannot be stored or compared. */
async function assertDims(tx: Queryable, schema: string, dims: number): Promise<void> {
  const { rows } = await tx.query<{ typmod: number }>(
    `SELECT a.atttypmod AS typmod
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = 'passages' AND a.attname = 'embedding' AND NOT a.attisdropped`,
    [schema],
  );
  const existing = rows.length > 0 ? Number(rows[0].typmod) : undefined;
  if (existing === undefined) throw failedPrecondition(`schema "${schema}" has no passages.embedding column`, 'schema_broken');
  if (existing !== dims) {
    throw failedPrecondition(
      `schema "${schema}" stores ${existing}-dimensional embeddings but the service is configured for ${dims}: ` +
        `use the model the schema was built with, or point the service at a new schema and re-index`,
      'embedding_dims_mismatch',
    );
  }
}

/** HNSW build parameters only apply when the index is built; say so when the config asks for others. */
async function warnOnIndexParams(tx: Queryable, schema: string, p: MigrationParams): Promise<void> {
  const { rows } = await tx.query<{ options: string[] | string | null }>(
    `SELECT c.reloptions AS options FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = 'passages_embedding_hnsw_idx'`,
    [schema],
  );
  const raw = rows[0]?.options;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.replace(/^\{|\}$/g, '').split(',') : [];
  const built = Object.fromEntries(list.map((o) => o.split('=') as [string, string]));
  const m = Number(built.m ?? DEFAULT_HNSW_M);
  const efConstruction = Number(built.ef_construction ?? DEFAULT_HNSW_EF_CONSTRUCTION);
  if (m !== p.m || efConstruction !== p.efConstruction) {
    log.warn(
      { schema, builtM: m, builtEfConstruction: efConstruction, configuredM: p.m, configuredEfConstruction: p.efConstruction },
      'HNSW index was built with other parameters; REINDEX INDEX CONCURRENTLY to apply the configured ones',
    );
  }
}

/**
 * CREATE EXTENSION is database-wide, so it gets its own lock (not the
 * per-schema one) and tolerates a racer that created it without our lock.
 */
async function ensureVectorExtension(db: Db): Promise<string> {
  const installed = async (q: Queryable) =>
    (await q.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)).rows[0]?.v;
  let version = await installed(db);
  if (version === undefined) {
    try {
      version = await db.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, ['polysearch:create-extension:vector']);
        await tx.query(`CREATE EXTENSION IF NOT EXISTS vector`);
        return installed(tx);
      });
    } catch (err) {
      const state = sqlState(err);
      if (state === '23505' || state === '42710') {
        version = await installed(db); // created concurrently by someone else
      } else if (state === '42501' || state === '58P01' || state === '0A000' || state === '22023') {
        throw failedPrecondition(
          'the pgvector extension is not available: install pgvector >= 0.8 on the database server ' +
            '(scripts/ci/install-pgvector.sh) or have an administrator run CREATE EXTENSION vector',
          'pgvector_missing',
        );
      } else {
        throw err;
      }
    }
  }
  if (version === undefined) throw failedPrecondition('the pgvector extension could not be created', 'pgvector_missing');
  const parts = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < MIN_VECTOR_VERSION.length; i++) {
    if ((parts[i] ?? 0) > MIN_VECTOR_VERSION[i]) break;
    if ((parts[i] ?? 0) < MIN_VECTOR_VERSION[i]) {
      throw failedPrecondition(`pgvector ${version} is too old: filtered search needs >= 0.8.0 (ALTER EXTENSION vector UPDATE)`, 'pgvector_too_old');
    }
  }
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regtype('vector')::text AS t`);
  if (!rows[0]?.t) {
    throw failedPrecondition('the pgvector type "vector" is not on the search_path of the database user', 'pgvector_not_on_search_path');
  }
  return version;
}
