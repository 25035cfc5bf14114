import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenizedInput {
  ids: number[];
  /** True when the text was cut to fit the model's maximum length. */
  truncated: boolean;
}

/**
 * The model's own tokenizer (tokenizer.json of the export), with truncation
 * done here: tokenizers.js does not truncate, and the special tokens must
 * survive the cut or the model sees a sequence it was never trained on.
 */
export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly prefixIds: number[];
  private readonly suffixIds: number[];
  readonly padId: number;
  /** Characters past which a text certainly has more tokens than fit. */
  private readonly cutChars: number;

  constructor(
    tokenizerJson: object,
    tokenizerConfig: object,
    readonly maxTokens: number,
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    // Learn the single-sequence template (e.g. "<s> $A </s>") from a probe
    // text instead of assuming XLM-R's ids.
    const full = this.tokenizer.encode('a', { add_special_tokens: true }).ids;
    const bare = this.tokenizer.encode('a', { add_special_tokens: false }).ids;
    const at = indexOfRun(full, bare);
    if (at < 0) throw new Error('tokenizer template does not contain the text it encodes');
    this.prefixIds = full.slice(0, at);
    this.suffixIds = full.slice(at + bare.length);
    const pad = (tokenizerConfig as { pad_token?: unknown }).pad_token;
    const padToken = typeof pad === 'string' ? pad : '<pad>';
    this.padId = this.tokenizer.token_to_id(padToken) ?? 1;
    // No piece is longer than the longest vocabulary entry, so a text longer
    // than room × that many characters cannot fit: cutting it there before
    // tokenizing keeps a 32 KB input from costing 4× the work of 8 KB.
    let longest = 1;
    for (const piece of this.tokenizer.get_vocab().keys()) longest = Math.max(longest, piece.length);
    this.cutChars = (maxTokens + 1) * longest;
    if (maxTokens <= this.prefixIds.length + this.suffixIds.length) {
      throw new Error(`maximum length ${maxTokens} leaves no room for text`);
    }
  }

  encode(text: string): TokenizedInput {
    const content = this.tokenizer.encode(text.length > this.cutChars ? text.slice(0, this.cutChars) : text, {
      add_special_tokens: false,
    }).ids;
    const room = this.maxTokens - this.prefixIds.length - this.suffixIds.length;
    const truncated = content.length > room;
    const kept = truncated ? content.slice(0, room) : content;
    return { ids: [...this.prefixIds, ...kept, ...this.suffixIds], truncated };
  }
}

function indexOfRun(haystack: number[], needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
