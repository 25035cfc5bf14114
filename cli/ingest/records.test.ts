import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvRecords, readJsonlRecords } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'polysearch-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, content);
  return path;
}
async function all<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe('readJsonlRecords', () => {
  it('yields non-blank lines with their line numbers and end offsets (LF or CRLF, BOM dropped)', async () => {
    const text = '\ufeff{"id":"a"}\r\n\n  \n{"id":"é"}\n{"id":"c"}';
    const path = file(text);
    const records = await all(readJsonlRecords(path));
    expect(records.map((r) => ('text' in r ? r.text : r.error))).toEqual(['{"id":"a"}', '{"id":"é"}', '{"id":"c"}']);
    expect(records.map((r) => r.line)).toEqual([1, 4, 5]);
    const bytes = readFileSync(path);
    expect(records.map((r) => r.endOffset)).toEqual([bytes.indexOf('\n') + 1, bytes.lastIndexOf('\n') + 1, bytes.length]);
  });

  it('resumes at an offset with the right line numbers, and hashes exactly the bytes read', async () => {
    const text = '{"id":"a"}\n{"id":"b"}\n{"id":"c"}\n';
    const path = file(text);
    const [first] = await all(readJsonlRecords(path));
    const hash = createHash('sha256').update(text.slice(0, first.endOffset));
    const rest = await all(readJsonlRecords(path, { offset: first.endOffset, line: 2, hash }));
    expect(rest.map((r) => r.line)).toEqual([2, 3]);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('reports invalid UTF-8 by line and carries on', async () => {
    const path = file(Buffer.concat([Buffer.from('{"id":"a"}\n'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), Buffer.from('{"id":"c"}\n')]));
    const records = await all(readJsonlRecords(path));
    expect(records[1]).toMatchObject({ line: 2, error: expect.stringMatching(/UTF-8/) });
    expect(records[2]).toMatchObject({ line: 3, text: '{"id":"c"}' });
  });

  it('splits correctly across read chunks (64 KiB) inside a multi-byte character', async () => {
    const long = 'ü'.repeat(70_000); // 140 KB: crosses chunk boundaries at odd byte offsets
    const path = file(`{"id":"a","content":"${long}"}\n{"id":"b"}\n`);
    const records = await all(readJsonlRecords(path));
    expect(records).toHaveLength(2);
    expect(JSON.parse((records[0] as { text: string }).text).content).toBe(long);
    expect(records[1]).toMatchObject({ line: 2 });
  });
});

describe('readCsvRecords', () => {
  const fields = async (text: string) => (await all(readCsvRecords(file(text)))).map((r) => ('fields' in r ? r.fields : r.error));

  it('parses RFC 4180: quotes, doubled quotes, commas and line breaks inside quotes, CRLF', async () => {
    expect(await fields('id,content\r\na,"x, ""y""\r\nz"\r\nb,plain\r\n\r\nc,\n')).toEqual([
      ['id', 'content'],
      ['a', 'x, "y"\nz'],
      ['b', 'plain'],
      ['c', ''],
    ]);
  });

  it('gives each record the line it starts on, and the offset past it', async () => {
    const text = 'id,content\na,"one\ntwo\nthree"\nb,x\n';
    const records = await all(readCsvRecords(file(text)));
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
    expect(records[1].endOffset).toBe(text.indexOf('b,x'));
  });

  it('reports malformed lines by line and resynchronises at the next', async () => {
    const records = await all(readCsvRecords(file('id,content\na,b"c\nd,"e"f\ng,ok\nh,"never closed\n')));
    expect(records.map((r) => [r.line, 'error' in r ? r.error : r.fields.join('|')])).toEqual([
      [1, 'id|content'],
      [2, expect.stringMatching(/quote inside unquoted field 2/)],
      [3, expect.stringMatching(/after the closing quote of field 2/)],
      [4, 'g|ok'],
      [5, expect.stringMatching(/field 2 starting on this line is never closed/)],
    ]);
  });
});
