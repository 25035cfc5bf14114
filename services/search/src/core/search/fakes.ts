import { unavailable } from '../../../../../shared/errors.js';
import type { Candidate, KeywordRetrieval, ModelRef, QueryEmbedder, QueryVectorCache, SearchIndex, SemanticRetrieval } from './ports.js';

/** In-memory stand-ins for the core's ports, for stage and core unit tests. */

export const MODEL: ModelRef = { digest: 'm1', profile: 'e5', dimensions: 2, fixture: false };

export function candidate(id: string, score: number, extra: Partial<Candidate> = {}): Candidate {
  return { id, score, passageIndex: 0, snippet: `snippet ${id}`, title: `title ${id}`, locale: 'en', sourceType: 'wiki', metadata: {}, ...extra };
}

/** Returns fixed lists (cut to the requested depth) and records every request. */
export class FakeIndex implements SearchIndex {
  readonly semanticCalls: SemanticRetrieval[] = [];
  readonly keywordCalls: KeywordRetrieval[] = [];
  constructor(
    public semanticList: Candidate[] = [],
    public keywordList: Candidate[] = [],
  ) {}
  async semantic(r: SemanticRetrieval): Promise<Candidate[]> {
    this.semanticCalls.push(r);
    return this.semanticList.slice(0, r.depth);
  }
  async keyword(r: KeywordRetrieval): Promise<Candidate[]> {
    this.keywordCalls.push(r);
    return this.keywordList.slice(0, r.depth);
  }
}

/** Embeds to a fixed vector, or fails as an unavailable embedder does. */
export class FakeEmbedder implements QueryEmbedder {
  calls = 0;
  down: string | undefined;
  currentModel: ModelRef | undefined;
  constructor(private readonly model: ModelRef = MODEL) {}
  async embedQuery(_text: string) {
    this.calls++;
    if (this.down) throw unavailable('embedder is down', this.down);
    this.currentModel = this.model;
    return { vector: [1, 0], model: this.model };
  }
}

export class MapCache implements QueryVectorCache {
  readonly map = new Map<string, number[]>();
  get(model: string, text: string) {
    return this.map.get(`${model}|${text}`);
  }
  set(model: string, text: string, vector: number[]) {
    this.map.set(`${model}|${text}`, vector);
  }
}
