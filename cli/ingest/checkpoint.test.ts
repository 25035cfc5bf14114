import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyTotals, loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'polysearch-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const target = { address: 'localhost:50052', tenantId: 'acme', locale: '', format: 'jsonl' };

async function setup(name: string) {
  const file = join(dir, `${name}.jsonl`);
  const head = '{"id":"a","content":"x"}\n';
  writeFileSync(file, `${head}{"id":"b","content":"y"}\n`);
  const path = join(dir, `${name}.checkpoint.json`);
  const checkpoint: Checkpoint = {
    version: 1,
    target,
    offset: head.length,
    line: 2,
    documents: 1,
    prefixSha256: createHash('sha256').update(head).digest('hex'),
    totals: emptyTotals(),
  };
  await saveCheckpoint(path, checkpoint);
  return { file, path, head };
}

describe('checkpoints', () => {
  it('resume when the file still starts with the acknowledged bytes (appending is fine), with the hash of those bytes', async () => {
    const { file, path, head } = await setup('same');
    appendFileSync(file, '{"id":"c","content":"z"}\n');
    const resume = await loadCheckpoint(path, file, target);
    expect(resume).toMatchObject({ checkpoint: { offset: head.length, line: 2, documents: 1 } });
    expect((resume as { hash: { digest: (e: 'hex') => string } }).hash.digest('hex')).toBe(createHash('sha256').update(head).digest('hex'));
  });

  it('are ignored, saying why, when acknowledged bytes changed or the target differs', async () => {
    const { file, path } = await setup('changed');
    writeFileSync(file, '{"id":"A","content":"x"}\n{"id":"b","content":"y"}\n');
    expect(await loadCheckpoint(path, file, target)).toEqual({ ignored: expect.stringMatching(/changed since checkpoint/) });
    const other = await setup('other');
    expect(await loadCheckpoint(other.path, other.file, { ...target, tenantId: 'globex' })).toEqual({ ignored: expect.stringMatching(/tenantId "acme", not "globex"/) });
    writeFileSync(other.file, '{"id":"a"');
    expect(await loadCheckpoint(other.path, other.file, target)).toEqual({ ignored: expect.stringMatching(/changed/) });
  });

  it('absent: undefined; unreadable: ignored', async () => {
    expect(await loadCheckpoint(join(dir, 'none.json'), join(dir, 'none.jsonl'), target)).toBeUndefined();
    const path = join(dir, 'garbage.json');
    writeFileSync(path, '{not json');
    expect(await loadCheckpoint(path, path, target)).toEqual({ ignored: expect.stringMatching(/unreadable/) });
  });
});
