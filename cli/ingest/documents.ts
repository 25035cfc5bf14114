import type { DocumentInput } from '../../shared/client/index.js';

/**
 * Turns one record into a document. The field names are the same in both
 * formats (README "CLI"): id (required), title, content, locale, source_type,
 * and metadata — a JSON object in JSONL, or one `metadata.KEY` column per key
 * in CSV (also accepted as flat keys in JSONL). Unknown names are refused, so
 * a misspelt column cannot silently drop data. The tenant comes from
 * --tenant, the locale from the record or else from --locale.
 */
export const FIELDS = ['id', 'title', 'content', 'locale', 'source_type', 'metadata'] as const;
const TEXT_FIELDS = ['title', 'content', 'locale', 'source_type'] as const;

export interface Defaults {
  tenantId: string;
  /** Locale for records that give none ('' leaves it to the server). */
  locale: string;
}

export type Parsed = { document: DocumentInput } | { error: string };

const NAMED = FIELDS.filter((f) => f !== 'metadata').join(', ');
const unknownField = (name: string) => `unknown field "${name}": use ${NAMED}, metadata (an object) or metadata.KEY`;
const unknownColumn = (name: string) => `unknown column "${name}": use ${NAMED} or metadata.KEY`;

function scalar(value: unknown, name: string): string | { error: string } {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return { error: `${name} must be a string, number or boolean` };
}

function build(id: string, text: Partial<Record<(typeof TEXT_FIELDS)[number], string>>, metadata: Record<string, string>, defaults: Defaults): Parsed {
  if (id.trim() === '') return { error: 'id is missing or empty: every document needs one' };
  if (!text.content?.trim() && !text.title?.trim()) return { error: `document ${JSON.stringify(id)} has no content and no title: nothing to search` };
  return {
    document: {
      tenantId: defaults.tenantId,
      id,
      title: text.title ?? '',
      content: text.content ?? '',
      locale: text.locale || defaults.locale,
      sourceType: text.source_type ?? '',
      metadata,
    },
  };
}

export function documentFromJson(line: string, defaults: Defaults): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { error: `not valid JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'each line must be one JSON object' };
  const text: Partial<Record<(typeof TEXT_FIELDS)[number], string>> = {};
  const metadata: Record<string, string> = {};
  let id = '';
  for (const [key, raw] of Object.entries(value)) {
    if (raw === null) continue;
    if (key === 'id') {
      const v = scalar(raw, 'id');
      if (typeof v !== 'string') return v;
      id = v;
    } else if ((TEXT_FIELDS as readonly string[]).includes(key)) {
      if (typeof raw !== 'string') return { error: `${key} must be a string` };
      text[key as (typeof TEXT_FIELDS)[number]] = raw;
    } else if (key === 'metadata') {
      if (typeof raw !== 'object' || Array.isArray(raw)) return { error: 'metadata must be an object of strings' };
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (v === null) continue;
        const s = scalar(v, `metadata.${k}`);
        if (typeof s !== 'string') return s;
        metadata[k] = s;
      }
    } else if (key.startsWith('metadata.') && key.length > 'metadata.'.length) {
      const s = scalar(raw, key);
      if (typeof s !== 'string') return s;
      metadata[key.slice('metadata.'.length)] = s;
    } else {
      return { error: unknownField(key) };
    }
  }
  return build(id, text, metadata, defaults);
}

/** Column roles from a CSV header, or why the header is unusable. */
export type CsvColumns = { columns: string[] } | { error: string };

export function csvColumns(header: string[]): CsvColumns {
  const seen = new Set<string>();
  for (const raw of header) {
    const name = raw.trim();
    if (seen.has(name)) return { error: `column "${name}" appears twice` };
    seen.add(name);
    const known = (FIELDS as readonly string[]).includes(name) && name !== 'metadata';
    if (!known && !(name.startsWith('metadata.') && name.length > 'metadata.'.length)) {
      return { error: `header: ${unknownColumn(name)} (the first line names the columns)` };
    }
  }
  if (!seen.has('id')) return { error: 'header has no "id" column (the first line names the columns)' };
  return { columns: header.map((h) => h.trim()) };
}

/** One CSV row; an empty metadata cell means "no such key" (CSV cannot tell empty from absent). */
export function documentFromCsv(fields: string[], columns: string[], defaults: Defaults): Parsed {
  if (fields.length !== columns.length) return { error: `${fields.length} fields, but the header names ${columns.length} columns` };
  const text: Partial<Record<(typeof TEXT_FIELDS)[number], string>> = {};
  const metadata: Record<string, string> = {};
  let id = '';
  columns.forEach((column, i) => {
    const value = fields[i];
    if (column === 'id') id = value;
    else if (column.startsWith('metadata.')) {
      if (value !== '') metadata[column.slice('metadata.'.length)] = value;
    } else text[column as (typeof TEXT_FIELDS)[number]] = value;
  });
  return build(id, text, metadata, defaults);
}
