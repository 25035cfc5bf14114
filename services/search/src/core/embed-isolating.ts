import type { PassageOutcome } from '../store/passage-outcome.js';

export interface EmbedIsolatingOptions {
  /** Texts per embedder call (the embedder's own limit). */
  batch: number;
  /** One embedder call: one vector per text, in order. */
  embed: (texts: string[]) => Promise<number[][]>;
  /** The embedder's reason when an error means "this input is refused" (INVALID_ARGUMENT); undefined for anything else. */
  refusal: (err: unknown) => string | undefined;
}

/**
 * Embeds passages so that one the embedder refuses cannot take its batch
 * with it. A refused call is split in halves and each half retried, down to
 * the single text, which is then reported as refused with the embedder's
 * reason; everything else gets its vector. k refused texts among n cost about
 * k·log2(n) extra calls. A batch the embedder refuses as a whole (more texts
 * than EMBEDDER_MAX_INPUTS) is split the same way until it fits. Any other
 * error (unavailable, deadline) is thrown: the caller stores pending.
 */
export async function embedIsolatingRefusals(texts: readonly string[], o: EmbedIsolatingOptions): Promise<PassageOutcome[]> {
  const out: PassageOutcome[] = new Array<PassageOutcome>(texts.length);
  const run = async (start: number, end: number): Promise<void> => {
    try {
      const vectors = await o.embed(texts.slice(start, end));
      vectors.forEach((v, k) => (out[start + k] = v));
    } catch (err) {
      const reason = o.refusal(err);
      if (reason === undefined) throw err;
      if (end - start === 1) {
        out[start] = { refused: reason };
        return;
      }
      const mid = start + Math.ceil((end - start) / 2);
      await run(start, mid);
      await run(mid, end);
    }
  };
  const batch = Math.max(1, o.batch);
  for (let at = 0; at < texts.length; at += batch) await run(at, Math.min(at + batch, texts.length));
  return out;
}
