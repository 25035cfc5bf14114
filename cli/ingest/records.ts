import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * Records of a JSONL or CSV file with the line each starts on (for error
 * messages) and the byte offset just past it (for checkpoints). The file is
 * split into lines as bytes: LF is ASCII and never occurs inside a multi-byte
 * UTF-8 sequence, so the split is safe, and each line is then decoded
 * strictly (invalid UTF-8 is reported by line, never replaced silently).
 * Line breaks are LF or CRLF.
 */
export interface RecordPosition {
  /** 1-based line the record starts on. */
  line: number;
  /** Byte offset just past the record and its line break. */
  endOffset: number;
  /** Line number of the line that starts at endOffset. */
  nextLine: number;
}

export type JsonlRecord = RecordPosition & ({ text: string } | { error: string });
export type CsvRecord = RecordPosition & ({ fields: string[] } | { error: string });

export interface ReadFrom {
  /** Byte offset to start at: 0, or a record boundary (a checkpoint's offset). */
  offset?: number;
  /** Line number of the line that starts at `offset`. */
  line?: number;
  /** Fed every byte read, line by line: when a record is yielded it covers the bytes up to its endOffset. */
  hash?: Hash;
}

type PhysicalLine = RecordPosition & ({ text: string } | { error: string });

const LF = 0x0a;
const decoder = new TextDecoder('utf-8', { fatal: true });

async function* physicalLines(path: string, from: ReadFrom): AsyncGenerator<PhysicalLine> {
  let base = from.offset ?? 0;
  let line = from.line ?? 1;
  let pending: Buffer[] = [];
  // A byte-order mark says "UTF-8"; it is not part of the first field.
  let stripBom = base === 0;
  const emit = (end: number): PhysicalLine => {
    const bytes = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    pending = [];
    const position = { line, endOffset: end, nextLine: ++line };
    try {
      let text = decoder.decode(bytes);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (stripBom && text.startsWith('\ufeff')) text = text.slice(1);
      return { ...position, text };
    } catch {
      return { ...position, error: 'not valid UTF-8 (save the file as UTF-8)' };
    } finally {
      stripBom = false;
    }
  };
  for await (const data of createReadStream(path, { start: base })) {
    const chunk = data as Buffer;
    let start = 0;
    for (let nl = chunk.indexOf(LF); nl !== -1; nl = chunk.indexOf(LF, start)) {
      pending.push(chunk.subarray(start, nl));
      from.hash?.update(chunk.subarray(start, nl + 1));
      start = nl + 1;
      yield emit(base + start);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      from.hash?.update(chunk.subarray(start));
    }
    base += chunk.length;
  }
  if (pending.length > 0) yield emit(base);
}

/** One JSON document per line; blank lines are skipped (and counted). */
export async function* readJsonlRecords(path: string, from: ReadFrom = {}): AsyncGenerator<JsonlRecord> {
  for await (const physical of physicalLines(path, from)) {
    if ('text' in physical && physical.text.trim() === '') continue;
    yield physical;
  }
}

/**
 * RFC 4180 records: comma-separated; a field may be in double quotes, with a
 * quote inside doubled and line breaks inside kept (as LF). A malformed line
 * is reported and parsing goes on at the next line. Blank lines are skipped.
 */
export async function* readCsvRecords(path: string, from: ReadFrom = {}): AsyncGenerator<CsvRecord> {
  let open: { line: number; fields: string[]; field: string } | undefined; // a record whose quoted field spans lines
  let end = { endOffset: from.offset ?? 0, nextLine: from.line ?? 1 };
  for await (const physical of physicalLines(path, from)) {
    end = physical;
    if ('error' in physical) {
      yield { line: open?.line ?? physical.line, endOffset: physical.endOffset, nextLine: physical.nextLine, error: physical.error };
      open = undefined;
      continue;
    }
    let inQuotes = open !== undefined;
    const record = open ?? { line: physical.line, fields: [], field: '' };
    if (open) record.field += '\n';
    else if (physical.text.trim() === '') continue;
    const text = physical.text;
    let afterQuote = false;
    let error: string | undefined;
    for (let i = 0; i < text.length && !error; i++) {
      const c = text[i];
      if (inQuotes) {
        if (c !== '"') record.field += c;
        else if (text[i + 1] === '"') {
          record.field += '"';
          i++;
        } else {
          inQuotes = false;
          afterQuote = true;
        }
      } else if (c === ',') {
        record.fields.push(record.field);
        record.field = '';
        afterQuote = false;
      } else if (afterQuote) {
        error = `text after the closing quote of field ${record.fields.length + 1}`;
      } else if (c === '"') {
        if (record.field === '') inQuotes = true;
        else error = `a quote inside unquoted field ${record.fields.length + 1}: quote the whole field and double the quote`;
      } else {
        record.field += c;
      }
    }
    if (error) {
      yield { line: record.line, endOffset: physical.endOffset, nextLine: physical.nextLine, error };
      open = undefined;
    } else if (inQuotes) {
      open = record;
    } else {
      record.fields.push(record.field);
      open = undefined;
      yield { line: record.line, endOffset: physical.endOffset, nextLine: physical.nextLine, fields: record.fields };
    }
  }
  if (open) yield { line: open.line, endOffset: end.endOffset, nextLine: end.nextLine, error: `the quoted field ${open.fields.length + 1} starting on this line is never closed` };
}
