import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from './fingerprint.js';
import { loadModelDirectory } from './model-dir.js';

const fixture = process.env.POLYSEARCH_TINY_MODEL_DIR!;
const dirs: string[] = [];
function copyOfFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'polysearch-model-'));
  cpSync(fixture, dir, { recursive: true });
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadModelDirectory', () => {
  it('reads the published layout: quantized ONNX, tokenizer, config and profile manifest', async () => {
    const model = await loadModelDirectory(fixture);
    expect(model.onnxPath.endsWith(join('onnx', 'model_quantized.onnx'))).toBe(true);
    expect(model).toMatchObject({ profile: 'e5', modelId: 'polysearch/fixture-tiny', maxTokens: 512, hiddenSize: 64, fixture: true });
    expect(model.onnxSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('falls back to onnx/model.onnx when there is no quantized export', async () => {
    const dir = copyOfFixture();
    renameSync(join(dir, 'onnx', 'model_quantized.onnx'), join(dir, 'onnx', 'model.onnx'));
    expect((await loadModelDirectory(dir)).onnxPath.endsWith(join('onnx', 'model.onnx'))).toBe(true);
  });

  it('refuses a model without a profile instead of guessing, and accepts an explicit one', async () => {
    const dir = copyOfFixture();
    rmSync(join(dir, 'polysearch.json'));
    await expect(loadModelDirectory(dir)).rejects.toThrow(/no prefix profile.*MODEL_PROFILE=e5\|e5-instruct/);
    const model = await loadModelDirectory(dir, { profile: 'e5-instruct' });
    expect(model.profile).toBe('e5-instruct');
    expect(model.modelId).toBe('polysearch/fixture-tiny'); // from config.json _name_or_path
  });

  it('refuses an unknown profile and a missing tokenizer with messages that say what to fix', async () => {
    const dir = copyOfFixture();
    writeFileSync(join(dir, 'polysearch.json'), JSON.stringify({ model_id: 'x', profile: 'bge' }));
    await expect(loadModelDirectory(dir)).rejects.toThrow(/unknown profile "bge".*"e5" or "e5-instruct"/);
    rmSync(join(dir, 'tokenizer.json'));
    await expect(loadModelDirectory(dir, { profile: 'e5' })).rejects.toThrow(/missing tokenizer.json/);
  });

  it('fingerprints differ when the profile differs, so their vectors are never mixed', async () => {
    const a = fingerprintOf(await loadModelDirectory(fixture));
    const b = fingerprintOf(await loadModelDirectory(fixture, { profile: 'e5-instruct' }));
    expect(a.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(a.digest).not.toBe(b.digest);
  });
});
