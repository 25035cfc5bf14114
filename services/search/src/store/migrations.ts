import { failedPrecondition, invalidArgument } from '../../../../shared/errors.js';
import { logger } from '../../../../shared/logger.js';
import type { Db, Queryable } from './db.js';
import { sqlState } from './db-errors.js';
import { quoteIdent } from './identifiers.js';
import { modelTableStatements, vectorTable } from './model-tables.js';
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
  /** Stop after this version (tests build an older schema to upgrade it). */
  upTo?: number;
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
  /** Steps that depend on the data (run after `statements`, in the same transaction). */
  run?(tx: Queryable, p: MigrationParams): Promise<void>;
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
    // A passage the embedder refuses (INVALID_ARGUMENT) is set aside with the
    // embedder's reason instead of being retried forever; it stays
    // keyword-searchable and is retried when its content changes. Columns
    // without defaults: no table rewrite; the CHECK is NOT VALID so adding it
    // does not scan existing rows (none of which is set aside yet).
    version: 2,
    name: 'passage_embed_failures',
    statements: ({ s }) => [
      `ALTER TABLE ${s}.passages ADD COLUMN embed_error text`,
      `ALTER TABLE ${s}.passages ADD COLUMN embed_failed_at timestamptz`,
      `ALTER TABLE ${s}.passages ADD CONSTRAINT passages_set_aside_without_vector
         CHECK (embed_error IS NULL OR embedding IS NULL) NOT VALID`,
    ],
  },
  {
    // Vectors move out of `passages` into one table per model (vectors_<key>,
    // typed to that model's width, created when the model is first seen), so
    // models of different widths live side by side and a rotation builds the
    // next model's vectors beside the current ones. The queue of passages
    // waiting for (or refused by) a model moves to embed_jobs. Existing
    // vectors are copied into a table per fingerprint; set-aside passages are
    // simply retried (the embedder will refuse them again, with its reason).
    // A one-off, in one transaction: ~N seconds per million passages (see
    // README, "Upgrading").
    version: 3,
    name: 'per_model_vectors',
    statements: ({ s }) => [
      `CREATE TABLE ${s}.tenants (
         key       integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         tenant_id text NOT NULL UNIQUE
       )`,
      `CREATE TABLE ${s}.models (
         key        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         digest     text        NOT NULL UNIQUE,
         model_id   text        NOT NULL DEFAULT '',
         profile    text        NOT NULL DEFAULT '',
         dimensions integer     NOT NULL CHECK (dimensions BETWEEN 1 AND 2000),
         fixture    boolean     NOT NULL DEFAULT false,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE TABLE ${s}.serving (
         id             boolean     PRIMARY KEY DEFAULT true CHECK (id),
         current_model  integer     REFERENCES ${s}.models (key),
         next_model     integer     REFERENCES ${s}.models (key),
         previous_model integer     REFERENCES ${s}.models (key) ON DELETE SET NULL,
         auto_cutover   boolean     NOT NULL DEFAULT true,
         generation     bigint      NOT NULL DEFAULT 0,
         changed_at     timestamptz NOT NULL DEFAULT now()
       )`,
      `INSERT INTO ${s}.serving DEFAULT VALUES`,
      `CREATE TABLE ${s}.embed_jobs (
         model            integer     NOT NULL REFERENCES ${s}.models (key) ON DELETE CASCADE,
         tenant_id        text        NOT NULL,
         doc_id           text        NOT NULL,
         idx              integer     NOT NULL,
         failed_reason    text,
         failed_at        timestamptz,
         claim_expires_at timestamptz,
         PRIMARY KEY (model, tenant_id, doc_id, idx),
         FOREIGN KEY (tenant_id, doc_id, idx) REFERENCES ${s}.passages (tenant_id, doc_id, idx) ON DELETE CASCADE
       )`,
      `CREATE INDEX embed_jobs_pending_idx ON ${s}.embed_jobs (model, claim_expires_at) WHERE failed_reason IS NULL`,
      `CREATE INDEX embed_jobs_passage_idx ON ${s}.embed_jobs (tenant_id, doc_id, idx)`,
      `CREATE TABLE ${s}.interactions (
         tenant_id text             NOT NULL,
         user_id   text             NOT NULL,
         doc_id    text             NOT NULL,
         kind      text             NOT NULL CHECK (kind IN ('rating', 'like', 'dislike', 'click')),
         value     double precision NOT NULL,
         weight    double precision NOT NULL,
         at        timestamptz      NOT NULL,
         PRIMARY KEY (tenant_id, user_id, doc_id, kind),
         FOREIGN KEY (tenant_id, doc_id) REFERENCES ${s}.documents (tenant_id, id) ON DELETE CASCADE
       )`,
      `INSERT INTO ${s}.tenants (tenant_id) SELECT DISTINCT tenant_id FROM ${s}.documents ORDER BY 1`,
    ],
    async run(tx, { s }) {
      const { rows } = await tx.query<{ fingerprint: string; dims: number }>(
        `SELECT fingerprint, max(vector_dims(embedding))::int AS dims FROM ${s}.passages
          WHERE embedding IS NOT NULL AND fingerprint IS NOT NULL GROUP BY fingerprint ORDER BY count(*) DESC, fingerprint`,
      );
      for (const r of rows) {
        const key = Number(
          (await tx.query<{ key: number }>(`INSERT INTO ${s}.models (digest, dimensions) VALUES ($1, $2) RETURNING key`, [r.fingerprint, r.dims])).rows[0].key,
        );
        for (const statement of modelTableStatements(s, key, Number(r.dims))) await tx.query(statement);
        await tx.query(
          `INSERT INTO ${vectorTable(s, key)} (tenant_id, doc_id, idx, tenant_key, embedding, embedded_at)
           SELECT p.tenant_id, p.doc_id, p.idx, t.key, p.embedding, coalesce(p.embedded_at, now())
             FROM ${s}.passages p JOIN ${s}.tenants t ON t.tenant_id = p.tenant_id
            WHERE p.fingerprint = $1 AND p.embedding IS NOT NULL`,
          [r.fingerprint],
        );
      }
      await tx.query(`ALTER TABLE ${s}.passages DROP CONSTRAINT IF EXISTS passages_set_aside_without_vector`);
      for (const column of ['embedding', 'fingerprint', 'embedded_at', 'claim_expires_at', 'embed_error', 'embed_failed_at']) {
        await tx.query(`ALTER TABLE ${s}.passages DROP COLUMN ${column}`);
      }
    },
  },
  {
    version: 4,
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
      if (done.has(migration.version) || migration.version > (options.upTo ?? Infinity)) continue;
      for (const statement of migration.statements(params)) await tx.query(statement);
      await migration.run?.(tx, params);
      await tx.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });

  log.info(
    { schema: options.schema, applied, dims: params.dims, vectorVersion, tookMs: Math.round(performance.now() - started) },
    applied.length > 0 ? 'search schema migrated' : 'search schema up to date',
  );
  return { schema: options.schema, dims: params.dims, applied, vectorVersion };
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
