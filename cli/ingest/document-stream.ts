import type { DocumentInput } from '../../shared/client/index.js';
import { csvColumns, documentFromCsv, documentFromJson, type Defaults } from './documents.js';
import { readCsvRecords, readJsonlRecords, type ReadFrom, type RecordPosition } from './records.js';

export type Format = 'jsonl' | 'csv';

export type DocumentRecord = RecordPosition & ({ document: DocumentInput } | { error: string });

/** The format a file name implies, if any. */
export function formatOf(path: string): Format | undefined {
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  if (/\.csv$/i.test(path)) return 'csv';
  return undefined;
}

/**
 * The documents of a file in order, each with its line and end offset, or
 * the error that line has. `from` resumes at a record boundary; a CSV
 * header is always read from the top.
 */
export async function* readDocuments(path: string, format: Format, defaults: Defaults, from: ReadFrom = {}): AsyncGenerator<DocumentRecord> {
  if (format === 'jsonl') {
    for await (const record of readJsonlRecords(path, from)) {
      if ('error' in record) yield record;
      else yield { line: record.line, endOffset: record.endOffset, nextLine: record.nextLine, ...documentFromJson(record.text, defaults) };
    }
    return;
  }
  const resuming = (from.offset ?? 0) > 0;
  let columns: string[] | undefined;
  if (resuming) {
    for await (const header of readCsvRecords(path)) {
      if ('fields' in header) {
        const parsed = csvColumns(header.fields);
        if ('columns' in parsed) columns = parsed.columns;
      }
      break;
    }
    if (!columns) return yield { line: 1, endOffset: 0, nextLine: 2, error: 'the header line is no longer a valid header' };
  }
  for await (const record of readCsvRecords(path, from)) {
    if (!columns) {
      if ('error' in record) return yield record;
      const parsed = csvColumns(record.fields);
      if ('error' in parsed) return yield { line: record.line, endOffset: record.endOffset, nextLine: record.nextLine, error: parsed.error };
      columns = parsed.columns;
      continue;
    }
    if ('error' in record) yield record;
    else yield { line: record.line, endOffset: record.endOffset, nextLine: record.nextLine, ...documentFromCsv(record.fields, columns, defaults) };
  }
}
