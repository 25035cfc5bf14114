import type { ModelRef } from '../search/ports.js';
import type { SearchFilters } from '../search/query.js';
import type { StoredSignal } from './signals.js';

/** What personalization needs from storage: small interfaces the Postgres store implements. */

/** Read-only: taste and item vectors of one model, for reranking. */
export interface TasteReader {
  /** The user's taste vector in this model; undefined when the user has none. */
  taste(tenantId: string, userId: string, model: ModelRef): Promise<number[] | undefined>;
  /** Documents' vectors (normalized mean of their passages) in this model; absent ids have none yet. */
  documentVectors(tenantId: string, documentIds: readonly string[], model: ModelRef): Promise<Map<string, number[]>>;
}

/**
 * One user's signals and tastes, inside one transaction that holds the
 * user's lock: what the core reads here and writes back commits together.
 */
export interface UserUnitOfWork {
  /** Every stored signal of the user. */
  signals(): Promise<StoredSignal[]>;
  /** Insert or replace these (document, kind) signals. */
  putSignals(signals: readonly StoredSignal[]): Promise<void>;
  /** Which of these documents exist in the tenant (signals on unknown documents are refused). */
  existingDocuments(documentIds: readonly string[]): Promise<Set<string>>;
  /** The models whose vectors are kept (the serving one and, during a rotation, the next). */
  models(): Promise<ModelRef[]>;
  documentVectors(documentIds: readonly string[], model: ModelRef): Promise<Map<string, number[]>>;
  /** Store the taste (or remove it: undefined) for the model. */
  putTaste(model: ModelRef, taste: number[] | undefined, signals: number): Promise<void>;
}

export interface NearestUser {
  userId: string;
  score: number;
  signals: number;
}

export interface InteractionStore extends TasteReader {
  /** Runs fn in a transaction holding the (tenant, user) lock. */
  withUser<T>(tenantId: string, userId: string, fn: (u: UserUnitOfWork) => Promise<T>): Promise<T>;
  /** Removes every signal and taste of the user; returns the rows removed. */
  forgetUser(tenantId: string, userId: string): Promise<number>;
  /** Documents the user has any signal on (excluded from recommendations). */
  interactedDocuments(tenantId: string, userId: string): Promise<Set<string>>;
  /** The k users of the tenant whose tastes are nearest this vector (cosine), excluding one user. */
  nearestUsers(tenantId: string, vector: readonly number[], model: ModelRef, k: number, excludeUserId: string): Promise<NearestUser[]>;
}

export type { ModelRef, SearchFilters };
