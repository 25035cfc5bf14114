/**
 * The relevance suite: documents and judged queries, one JSONL file per
 * language under data/corpus/ and data/queries/ (data/README.md says how they
 * were written and what each field means). loadSuite reads and checks them;
 * a malformed line or a judgment naming an unknown document is an error that
 * names the file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const DEFAULT_DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');

export const QUERY_TYPES = ['question', 'paraphrase', 'keyword', 'cross-language', 'unanswerable'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

const lang = z.string().regex(/^[a-z]{2}$/, 'a two-letter language code');
const id = z.string().regex(/^[a-z]{2}-[a-z0-9-]+$/, 'the language code, a dash, then lower-case letters, digits and dashes');

const documentSchema = z.strictObject({
  id,
  lang,
  /** The fictional organisation or site the document belongs to. */
  source: z.string().min(1),
  /** What kind of page it is: article, faq, product, policy, notice… */
  kind: z.string().min(1),
  title: z.string().min(1),
  content: z.string().min(1),
});

const querySchema = z.strictObject({
  id: z.string().regex(/^[a-z]{2}-q[0-9]{2,3}$/, 'the language code, "-q", then a number'),
  lang,
  type: z.enum(QUERY_TYPES),
  query: z.string().min(1),
  /** Document id → grade: 2 answers the query, 1 partly answers or clearly helps. Empty: no answer in the corpus. */
  relevant: z.record(z.string(), z.union([z.literal(1), z.literal(2)])),
  /** Why the judgments are what they are, where it is not obvious. */
  note: z.string().optional(),
});

export type SuiteDocument = z.infer<typeof documentSchema>;
export type SuiteQuery = z.infer<typeof querySchema>;

export interface Suite {
  documents: SuiteDocument[];
  queries: SuiteQuery[];
  /** Languages present, in file order. */
  languages: string[];
}

export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteError';
  }
}

function readJsonl<T>(path: string, schema: z.ZodType<T>, fileLang: string): T[] {
  const name = `${basename(dirname(path))}/${basename(path)}`;
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      if (line.trim() === '') return [];
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (err) {
        throw new SuiteError(`${name}:${i + 1}: not JSON (${err instanceof Error ? err.message : String(err)})`);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new SuiteError(`${name}:${i + 1}: ${issue.path.join('.') || 'line'}: ${issue.message}`);
      }
      const row = parsed.data as T & { id: string; lang: string };
      if (row.lang !== fileLang) throw new SuiteError(`${name}:${i + 1}: lang ${row.lang} in the file of ${fileLang}`);
      if (!row.id.startsWith(`${fileLang}-`)) throw new SuiteError(`${name}:${i + 1}: id ${row.id} must start with ${fileLang}-`);
      return [row];
    });
}

function languageFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^[a-z]{2}\.jsonl$/.test(f))
    .sort()
    .map((f) => f.slice(0, 2));
}

/**
 * Reads the suite. `languages` restricts it to queries in those languages
 * (every document is still loaded: cross-language queries need them, and
 * distractors in other languages are part of the test).
 */
export function loadSuite(dir = DEFAULT_DATA_DIR, options: { languages?: readonly string[] } = {}): Suite {
  const corpusDir = join(dir, 'corpus');
  const queryDir = join(dir, 'queries');
  const documents = languageFiles(corpusDir).flatMap((l) => readJsonl(join(corpusDir, `${l}.jsonl`), documentSchema, l));
  const queryLangs = languageFiles(queryDir);
  const wanted = options.languages ?? queryLangs;
  for (const l of wanted) if (!queryLangs.includes(l)) throw new SuiteError(`no queries for language ${l} (have ${queryLangs.join(', ')})`);
  const queries = wanted.flatMap((l) => readJsonl(join(queryDir, `${l}.jsonl`), querySchema, l));

  const docIds = new Set<string>();
  for (const d of documents) {
    if (docIds.has(d.id)) throw new SuiteError(`document id ${d.id} appears twice`);
    docIds.add(d.id);
  }
  const docLang = new Map(documents.map((d) => [d.id, d.lang]));
  const queryIds = new Set<string>();
  for (const q of queries) {
    if (queryIds.has(q.id)) throw new SuiteError(`query id ${q.id} appears twice`);
    queryIds.add(q.id);
    const judged = Object.keys(q.relevant);
    for (const docId of judged) if (!docIds.has(docId)) throw new SuiteError(`query ${q.id} judges unknown document ${docId}`);
    const unanswerable = q.type === 'unanswerable';
    if (unanswerable !== (judged.length === 0)) {
      throw new SuiteError(`query ${q.id}: ${unanswerable ? 'an unanswerable query judges documents' : 'a query with an answer judges no document'}`);
    }
    if (!unanswerable && !judged.some((d) => q.relevant[d] === 2)) throw new SuiteError(`query ${q.id} has no full answer (grade 2)`);
    // A cross-language query's full answers are in another language; every other type has one in its own.
    const answersIn = judged.filter((d) => q.relevant[d] === 2).map((d) => docLang.get(d));
    if (q.type === 'cross-language' && answersIn.includes(q.lang)) throw new SuiteError(`cross-language query ${q.id} has a full answer in its own language`);
    if (q.type !== 'cross-language' && !unanswerable && !answersIn.includes(q.lang)) {
      throw new SuiteError(`query ${q.id} (${q.type}) has no full answer in its own language: make it cross-language`);
    }
  }
  return { documents, queries, languages: [...new Set(queries.map((q) => q.lang))] };
}
