import { afterAll, beforeAll, expect, it } from 'vitest';
import { PolysearchSearchClient } from '../../../shared/client/index.js';
import { InteractionKind, SearchMode } from '../../../shared/generated/polysearch/search/v1/search.js';
import { describeRealModel, realModelEnv } from '../../../test/support/real-model.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import { waitFor, type ServiceProcess } from '../../../test/support/service-process.js';

/**
 * Personalized search on the real multilingual-e5-small (meaning matters
 * here): the same ambiguous query, "king", ranks The Return of the King first
 * for a user who loves fantasy and The King's Speech first for one who loves
 * historical drama.
 */
const T = 'films';
const films = [
  ['rotk', 'The Return of the King', 'The final part of the fantasy epic: the ring is destroyed in the fires of Mount Doom and Aragorn is crowned king of Gondor.'],
  ['speech', "The King's Speech", 'A historical drama about King George VI, who overcomes his stammer with a speech therapist before the radio address at the outbreak of war.'],
  ['hobbit', 'The Hobbit', 'A fantasy adventure: the wizard Gandalf and thirteen dwarves take Bilbo to reclaim their mountain kingdom from the dragon Smaug.'],
  ['fellowship', 'The Fellowship of the Ring', 'Elves, dwarves, hobbits and a wizard set out to carry a magic ring across Middle-earth in this fantasy saga.'],
  ['crown', 'The Crown', 'A historical drama series about the reign of Queen Elizabeth II, her prime ministers and the royal family.'],
  ['darkest', 'Darkest Hour', 'A historical drama: Winston Churchill becomes prime minister in 1940 and must decide whether to fight on against Hitler.'],
  ['lion', 'The Lion King', 'An animated film in which a young lion prince flees his kingdom after his father dies and returns to claim the throne.'],
  ['kingdom', 'Kingdom of Heaven', 'A medieval war film about a blacksmith who defends Jerusalem during the crusades.'],
].map(([id, title, content]) => ({ tenantId: T, id, locale: 'en', title, content }));

let embedder: ServiceProcess;
let search: Awaited<ReturnType<typeof startSearchProcess>>;
let client: PolysearchSearchClient;

describeRealModel('personalized search on the real model', () => {
  beforeAll(async () => {
    embedder = await startEmbedderProcess(0, realModelEnv());
    search = await startSearchProcess(embedder.listening.grpcPort as number);
    client = new PolysearchSearchClient({ address: `127.0.0.1:${search.grpcPort}`, defaultDeadlineMs: 60_000, retry: { maxAttempts: 1 } });
    await client.upsert(films);
    await waitFor(async () => (await client.stats(T)).pendingPassages === 0, 60_000);
    const like = (documentId: string) => ({ documentId, kind: InteractionKind.INTERACTION_KIND_LIKE });
    const rate = (documentId: string, rating: number) => ({ documentId, kind: InteractionKind.INTERACTION_KIND_RATING, rating });
    await client.recordInteractions(T, 'fantasy-fan', [like('hobbit'), rate('fellowship', 5), rate('darkest', 1)]);
    await client.recordInteractions(T, 'drama-fan', [like('crown'), rate('darkest', 5), rate('hobbit', 1)]);
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await search?.stop();
    await embedder?.stop();
  });

  const ids = async (userId: string, weight?: number, mode = SearchMode.SEARCH_MODE_HYBRID) => {
    const res = await client.search({ tenantId: T, query: 'king', mode, limit: 8, userId, personalizationWeight: weight });
    return { ids: res.hits.map((h) => h.id), res };
  };

  const FANTASY = ['rotk', 'hobbit', 'fellowship'];
  const DRAMA = ['speech', 'crown', 'darkest'];

  it('two users with opposite histories get different first hits for the same ambiguous query, in the order of their taste', async () => {
    // Plain "king" ranks The Lion King first (the word, with no genre); a taste weight of 0.7 lets genre decide.
    const fan = await ids('fantasy-fan', 0.7);
    const drama = await ids('drama-fan', 0.7);
    expect(fan.res).toMatchObject({ personalized: true, degraded: false });
    expect(FANTASY).toContain(fan.ids[0]);
    expect(DRAMA).toContain(drama.ids[0]);
    expect(fan.ids.indexOf('rotk')).toBeLessThan(fan.ids.indexOf('speech'));
    expect(drama.ids.indexOf('speech')).toBeLessThan(drama.ids.indexOf('rotk'));
    expect(fan.res.hits.every((h) => typeof h.personalScore === 'number')).toBe(true);
  });

  it('weight 0 reproduces the plain search exactly; weight 1 orders the candidates by taste alone', async () => {
    const plain = await client.search({ tenantId: T, query: 'king', limit: 8 });
    const zero = await ids('fantasy-fan', 0);
    expect(zero.ids).toEqual(plain.hits.map((h) => h.id));
    const one = await ids('drama-fan', 1);
    const personal = one.res.hits.map((h) => h.personalScore!);
    expect([...personal].sort((a, b) => b - a)).toEqual(personal);
  });

  it('a user with no history gets the plain ranking, and the response says so', async () => {
    const plain = await client.search({ tenantId: T, query: 'king', limit: 8 });
    const fresh = await ids('newcomer');
    expect(fresh.ids).toEqual(plain.hits.map((h) => h.id));
    expect(fresh.res.personalized).toBe(false);
    expect(fresh.res.notes.join(' ')).toMatch(/no history/);
  });

  it('recommends near the taste without what the user rated, and finds the like-minded user', async () => {
    const rec = await client.recommend({ tenantId: T, userId: 'fantasy-fan', limit: 3 });
    expect(rec.hits.map((h) => h.id)).not.toContain('hobbit');
    expect(rec.hits.map((h) => h.id)).not.toContain('fellowship');
    expect(rec.hits[0].id).toBe('rotk');
    await client.recordInteractions(T, 'tolkien-reader', [{ documentId: 'fellowship', kind: InteractionKind.INTERACTION_KIND_LIKE }]);
    const similar = await client.similarUsers(T, 'tolkien-reader', 5);
    expect(similar.users[0].userId).toBe('fantasy-fan');
  });

  it('still personalizes in degraded mode: keyword candidates, reranked by taste', async () => {
    await embedder.stop();
    // A query never searched before (a cached vector would stay semantic).
    const res = await client.search({ tenantId: T, query: 'the king', limit: 8, userId: 'drama-fan', personalizationWeight: 0.7 });
    expect(res).toMatchObject({ degraded: true, personalized: true, modeUsed: SearchMode.SEARCH_MODE_KEYWORD });
    expect(DRAMA).toContain(res.hits[0].id);
  });
});
