import { createHash } from 'node:crypto';
import { invalidArgument } from '../../../../shared/errors.js';
import { canonicalizeLocale, textSearchConfigFor } from './text-search-config.js';
import { assertDocumentId, assertTenantId } from '../core/ids.js';
import { cleanText } from './text-input.js';

/** A document as the service hands it to the store (proto Document, camel-cased). */
export interface DocumentInput {
  tenantId: string;
  id: string;
  locale?: string;
  sourceType?: string;
  title?: string;
  content?: string;
  metadata?: Readonly<Record<string, string>>;
}

/** A validated document: cleaned text, canonical locale, its text search configuration and content hash. */
export interface NormalizedDocument {
  tenantId: string;
  id: string;
  locale: string;
  sourceType: string;
  title: string;
  content: string;
  metadata: Record<string, string>;
  tsConfig: string;
  contentSha256: string;
}

export const MAX_TITLE_CHARS = 4096;
export const MAX_SOURCE_TYPE_CHARS = 256;

/**
 * content_sha256 covers exactly what determines the passages, their
 * embeddings and their keyword index: locale (→ text search configuration),
 * title (embedded with every passage) and content. Metadata and source_type
 * are stored columns only, so changing them updates the row without
 * re-embedding. Fields are length-prefixed so ("ab","c") ≠ ("a","bc").
 */
export function contentSha256(doc: { locale: string; title: string; content: string }): string {
  const hash = createHash('sha256');
  hash.update('polysearch-document-v1\n');
  for (const field of [doc.locale, doc.title, doc.content]) {
    const bytes = Buffer.from(field, 'utf8');
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
    hash.update('\n');
  }
  return hash.digest('hex');
}

export function normalizeDocument(doc: DocumentInput): NormalizedDocument {
  const tenantId = assertTenantId(doc.tenantId);
  const id = assertDocumentId(doc.id);
  const locale = canonicalizeLocale(doc.locale);
  const title = cleanText(doc.title);
  const content = cleanText(doc.content);
  const sourceType = cleanText(doc.sourceType);
  if (title.length > MAX_TITLE_CHARS) throw invalidArgument(`title must be at most ${MAX_TITLE_CHARS} characters`, 'title_too_long');
  if (sourceType.length > MAX_SOURCE_TYPE_CHARS) {
    throw invalidArgument(`source_type must be at most ${MAX_SOURCE_TYPE_CHARS} characters`, 'source_type_too_long');
  }
  if (title.trim() === '' && content.trim() === '') {
    throw invalidArgument('a document needs a title or content', 'empty_document');
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.metadata ?? {})) {
    if (typeof value !== 'string') throw invalidArgument('metadata values must be strings', 'invalid_metadata');
    metadata[cleanText(key)] = cleanText(value);
  }
  return {
    tenantId,
    id,
    locale,
    sourceType,
    title,
    content,
    metadata,
    tsConfig: textSearchConfigFor(locale),
    contentSha256: contentSha256({ locale, title, content }),
  };
}

/** Normalizes a batch and rejects a (tenant, id) that appears twice: which copy should win is ambiguous. */
export function normalizeBatch(docs: readonly DocumentInput[]): NormalizedDocument[] {
  const seen = new Set<string>();
  return docs.map((doc, i) => {
    const normalized = normalizeDocument(doc);
    const key = docKey(normalized.tenantId, normalized.id);
    if (seen.has(key)) throw invalidArgument(`document ${i} repeats an id already in this batch`, 'duplicate_document');
    seen.add(key);
    return normalized;
  });
}

/** Map key for (tenant, id); NUL cannot occur in either (core/ids.ts). */
export function docKey(tenantId: string, id: string): string {
  return `${tenantId}\u0000${id}`;
}

export function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && b[k] === a[k]);
}
