import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, searchClient, SearchMode, type DocumentPartial } from '../../../test/support/search-client.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import { waitFor, type ServiceProcess } from '../../../test/support/service-process.js';

/**
 * Poison passages against real processes (issue 7). The embedder runs with a
 * small EMBEDDER_MAX_INPUT_BYTES so it really refuses one passage
 * (INVALID_ARGUMENT); search must set that passage aside with its reason,
 * embed everything else of the batch, and never re-send it until its
 * document's content changes.
 */
const EMBEDDER_LIMIT = { EMBEDDER_MAX_INPUT_BYTES: '1500' };
let embedder: ServiceProcess;
let search: Awaited<ReturnType<typeof startSearchProcess>>;
let client: ReturnType<typeof searchClient>;

beforeAll(async () => {
  embedder = await startEmbedderProcess(0, EMBEDDER_LIMIT);
  search = await startSearchProcess(embedder.listening.grpcPort as number);
  client = searchClient(search.grpcPort);
});

afterAll(async () => {
  client?.close();
  await search?.stop();
  await embedder?.stop();
});

const TOPICS = [
  ['Reset your password', 'Open the account settings and choose reset password to get a link by email.'],
  ['Monthly invoice', 'The invoice arrives by email on the first day of every month.'],
  ['Parcel delivery', 'Parcels are delivered within three working days with a tracking number.'],
  ['Office opening hours', 'The office opens at nine in the morning and closes at six in the evening.'],
  ['Printer setup', 'Press the blue button on the printer twice to connect it to the network.'],
  ['Holiday requests', 'Ask your manager for holidays at least two weeks in advance.'],
  ['Parking garage', 'The parking garage under the building has spaces for visitors on level two.'],
  ['Coffee machine', 'Descale the coffee machine every month with the white tablets.'],
  ['Fire alarm drill', 'During the fire alarm drill leave the building by the nearest staircase.'],
  ['Laptop encryption', 'Every laptop disk must be encrypted before it leaves the office.'],
];
const good = (tenantId: string): DocumentPartial[] => TOPICS.map(([title, content], i) => ({ tenantId, id: `good-${i}`, locale: 'en', title, content }));

/** 170 twelve-character words (~2.2 KB, one passage the embedder refuses) then 20 short ones (a second passage it accepts). */
const LONG_WORDS = Array.from({ length: 170 }, (_, i) => `verylongword${String(i).padStart(3, '0')}`.slice(0, 12)).join(' ');
const mixed = (tenantId: string): DocumentPartial => ({
  tenantId,
  id: 'mixed',
  locale: 'en',
  title: 'Mixed',
  content: `${LONG_WORDS} ${Array.from({ length: 20 }, (_, i) => `tail${i}`).join(' ')}`,
});
const spaces = (tenantId: string): DocumentPartial => ({ tenantId, id: 'spaces', locale: 'en', title: 'Spaces', content: `alpha${' '.repeat(40_000)}beta` });

async function expectFoundSemantically(tenantId: string) {
  for (const [i, [title, content]] of TOPICS.entries()) {
    const res = await client.search({ tenantId, query: `${title}. ${content}`, mode: SearchMode.SEARCH_MODE_SEMANTIC });
    expect({ degraded: res.degraded, first: res.hits[0]?.id }).toEqual({ degraded: false, first: `good-${i}` });
  }
}

async function expectPoisonReported(tenantId: string) {
  const stats = await client.stats(tenantId);
  expect(stats.tenants[0]).toMatchObject({ tenantId, documents: 12, pendingPassages: 0, failedPassages: 1 });
  expect(stats).toMatchObject({ pendingPassages: 0, failedPassages: 1 });
  const got = (await client.get(tenantId, 'mixed')).document!;
  expect(got).toMatchObject({ passageCount: 2, pendingPassages: 0, failedPassages: 1 });
  expect(got.passageFailures).toHaveLength(1);
  expect(got.passageFailures[0].index).toBe(0);
  expect(got.passageFailures[0].reason).toMatch(/INVALID_ARGUMENT.*EMBEDDER_MAX_INPUT_BYTES/);
  // The whitespace document was never poison: its passages are embedded.
  expect((await client.get(tenantId, 'spaces')).document).toMatchObject({ pendingPassages: 0, failedPassages: 0 });
}

const refusals = () => metricValue(embedder.listening.httpPort as number, 'embedder_rejections_total{reason="input_too_large"}');

describe('a poison passage in an Upsert', () => {
  it('is set aside with its reason; the rest of the batch is embedded and found semantically', async () => {
    const res = await client.upsert([...good('up').slice(0, 5), mixed('up'), spaces('up'), ...good('up').slice(5)]);
    expect(res).toEqual({ inserted: 12, updated: 0, unchanged: 0, pending: 0 });
    await expectPoisonReported('up');
    await expectFoundSemantically('up');
    expect(await metricValue(search.httpPort, 'search_passage_failures_total{stage="upsert"}')).toBe(1);

    // Nothing retries it: the backfill (every 200 ms here) leaves it alone.
    const before = await refusals();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await refusals()).toBe(before);
    expect(search.proc.logs.join('\n')).not.toContain('backfill paused');

    // Re-sending the same content does not retry it either…
    expect(await client.upsert([mixed('up')])).toEqual({ inserted: 0, updated: 0, unchanged: 1, pending: 0 });
    expect(await refusals()).toBe(before);
    // …new content does, and clears the failure.
    expect(await client.upsert([{ ...mixed('up'), content: 'short enough now' }])).toEqual({ inserted: 0, updated: 1, unchanged: 0, pending: 0 });
    const fixed = (await client.get('up', 'mixed')).document!;
    expect(fixed).toMatchObject({ passageCount: 1, pendingPassages: 0, failedPassages: 0, passageFailures: [] });
    expect((await client.stats('up')).failedPassages).toBe(0);
  });
});

describe('a poison passage met by the backfill', () => {
  it('is set aside and the backfill moves past it to embed everything else', async () => {
    const port = embedder.listening.grpcPort as number;
    embedder.proc.kill('SIGKILL');
    await embedder.exited;
    const res = await client.upsert([mixed('bf'), spaces('bf'), ...good('bf')]);
    expect(res).toMatchObject({ inserted: 12, pending: 12 });

    embedder = await startEmbedderProcess(port, EMBEDDER_LIMIT);
    await waitFor(async () => (await client.stats('bf')).pendingPassages === 0, 30_000, 200);
    await expectPoisonReported('bf');
    await expectFoundSemantically('bf');
    expect(await metricValue(search.httpPort, 'search_passage_failures_total{stage="backfill"}')).toBe(1);
    await waitFor(async () => (await metricValue(search.httpPort, 'search_failed_passages')) === 1, 10_000, 200);

    const before = await refusals();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await refusals()).toBe(before);
  });
});
