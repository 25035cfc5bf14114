import { describe, expect, it } from 'vitest';
import { FakeEndpoint, MemoryRegistry, modelRef } from './fakes.js';
import { ModelDirectory } from './model-directory.js';
import { servingQueryEmbedder } from './serving-embedder.js';

const A = modelRef('a', 4);
const B = modelRef('b', 8);

function setup(options: { next?: boolean; autoCutover?: boolean } = {}) {
  const registry = new MemoryRegistry();
  const current = new FakeEndpoint('current', A);
  const next = new FakeEndpoint('next', B);
  const endpoints = options.next ? [current, next] : [current];
  const dir = new ModelDirectory({ registry, endpoints, autoCutover: options.autoCutover ?? true });
  return { registry, current, next, dir, queries: servingQueryEmbedder(dir) };
}

describe('ModelDirectory', () => {
  it('adopts the first model it sees, learning its width from the fingerprint, and queues every passage for it', async () => {
    const { dir, registry, queries } = setup();
    await dir.reconcile();
    expect(dir.serving.current).toMatchObject({ digest: 'a', dimensions: 4 });
    expect(registry.enqueued).toEqual(['a']);
    expect((await queries.embedQuery('q')).model.digest).toBe('a');
  });

  it('builds a next model beside the current one; queries stay on the current model until cutover', async () => {
    const { dir, registry, current, next, queries } = setup({ next: true });
    await dir.reconcile();
    registry.fill('a');
    await dir.reconcile();
    expect(dir.serving).toMatchObject({ current: { digest: 'a' }, next: { digest: 'b', dimensions: 8 } });
    expect(dir.fillTargets().map((t) => [t.model.digest, t.endpoint.name])).toEqual([
      ['a', 'current'],
      ['b', 'next'],
    ]);
    await queries.embedQuery('q');
    expect([current.calls, next.calls]).toEqual([1, 0]);

    // Incomplete: no automatic cutover, and a manual one is refused unless forced.
    expect(await dir.maybeCutover()).toBe(false);
    await expect(dir.cutover({ force: false })).rejects.toMatchObject({ kind: 'failed_precondition', reason: 'next_model_incomplete' });

    registry.fill('b');
    expect(await dir.maybeCutover()).toBe(true);
    expect(registry.tastesRebuilt).toEqual(['b']);
    expect(dir.serving).toMatchObject({ current: { digest: 'b' }, previous: { digest: 'a' }, next: undefined });
    expect((await queries.embedQuery('q')).model.digest).toBe('b');
    expect(next.calls).toBe(1);
  });

  it('rolls back by pointing back, and does not cut over again by itself', async () => {
    const { dir, registry } = setup({ next: true });
    await dir.reconcile();
    registry.fill('a');
    await dir.reconcile();
    registry.fill('b');
    await dir.cutover({ force: false });
    await dir.rollback();
    expect(dir.serving).toMatchObject({ current: { digest: 'a' }, next: { digest: 'b' }, autoCutover: false });
    await dir.reconcile();
    expect(await dir.maybeCutover()).toBe(false);
    expect(dir.serving.current?.digest).toBe('a');
    await dir.cutover({ expectDigest: 'b', force: false });
    expect(dir.serving.current?.digest).toBe('b');
  });

  it('purges only a model that serves nothing', async () => {
    const { dir, registry } = setup({ next: true });
    await dir.reconcile();
    registry.fill('a');
    await dir.reconcile();
    await expect(dir.purge('a')).rejects.toMatchObject({ reason: 'model_in_use' });
    await expect(dir.purge('b')).rejects.toMatchObject({ reason: 'model_in_use' });
    registry.fill('b');
    await dir.cutover({ force: false });
    expect(await dir.purge('a')).toBe(10);
    expect(dir.serving.previous).toBeUndefined();
    await expect(dir.rollback()).rejects.toMatchObject({ reason: 'no_previous_model' });
    await expect(dir.purge('zzz')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('adopts a model swapped behind the same address when nothing serves the current one', async () => {
    const { dir, registry, current } = setup();
    await dir.reconcile();
    registry.fill('a');
    current.serves = B;
    await dir.reconcile();
    expect(dir.serving).toMatchObject({ current: { digest: 'b' }, previous: { digest: 'a' } });
    expect(registry.enqueued).toEqual(['a', 'b']);
  });

  it('degrades queries (unavailable) when no configured embedder serves the current model', async () => {
    const { dir, current, queries } = setup();
    await dir.reconcile();
    current.serves = B; // swapped, not yet reconciled
    await expect(queries.embedQuery('q')).rejects.toMatchObject({ kind: 'unavailable', reason: 'embedder_model_changed' });
  });

  it('loses a concurrent change cleanly: keeps the other replica\'s row and asks for a retry', async () => {
    const { dir, registry } = setup({ next: true });
    await dir.reconcile();
    registry.fill('a');
    await dir.reconcile();
    registry.fill('b');
    const theirs = { ...registry.row, current: registry.row.next, next: undefined, previous: registry.row.current };
    registry.raceNextSet = theirs;
    await expect(dir.cutover({ force: false })).rejects.toMatchObject({ kind: 'unavailable', reason: 'serving_changed' });
    expect(dir.serving).toMatchObject({ current: { digest: 'b' }, previous: { digest: 'a' } });
  });
});
