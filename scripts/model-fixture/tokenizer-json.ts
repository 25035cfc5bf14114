import { MASK_PIECE, SPACE, type Vocabulary } from './vocab.js';

/**
 * tokenizer.json and tokenizer_config.json in the shape the XLM-R exports
 * publish, so the embedder's production tokenizer code reads them unchanged.
 *
 * One deliberate difference: XLM-R's normalizer is a Precompiled
 * sentencepiece charsmap, which is impractical to generate. The Sequence
 * below approximates what that charsmap does (NFKC, control characters
 * dropped, odd whitespace folded to a single space) with components both the
 * Rust tokenizers library and tokenizers.js understand.
 */
export function tokenizerJson(vocab: Vocabulary): object {
  const { pieces, scores } = vocab;
  const maskId = pieces.indexOf(MASK_PIECE);
  const special = (id: number, content: string, lstrip = false) => ({
    id,
    content,
    single_word: false,
    lstrip,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const token = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const sequence = (id: 'A' | 'B') => ({ Sequence: { id, type_id: 0 } });
  const metaspace = { type: 'Metaspace', replacement: SPACE, prepend_scheme: 'always', split: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      special(0, '<s>'),
      special(1, '<pad>'),
      special(2, '</s>'),
      special(3, '<unk>'),
      // XLM-R's <mask> swallows the space before it (lstrip).
      special(maskId, MASK_PIECE, true),
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        { type: 'Replace', pattern: { Regex: '[\\x{0000}-\\x{0008}\\x{000B}\\x{000E}-\\x{001F}\\x{007F}-\\x{009F}]' }, content: '' },
        { type: 'Replace', pattern: { Regex: '[\\s\\x{200B}-\\x{200F}\\x{2581}\\x{FEFF}]+' }, content: ' ' },
      ],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('<s>'), sequence('A'), token('</s>')],
      pair: [token('<s>'), sequence('A'), token('</s>'), token('</s>'), sequence('B'), token('</s>')],
      special_tokens: {
        '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] },
        '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] },
      },
    },
    decoder: metaspace,
    model: {
      type: 'Unigram',
      unk_id: 3,
      vocab: pieces.map((p, i) => [p, scores[i]]),
      byte_fallback: false,
    },
  };
}

export function tokenizerConfigJson(): object {
  return {
    model_max_length: 512,
    tokenizer_class: 'XLMRobertaTokenizer',
    bos_token: '<s>',
    eos_token: '</s>',
    pad_token: '<pad>',
    unk_token: '<unk>',
    cls_token: '<s>',
    sep_token: '</s>',
    mask_token: MASK_PIECE,
    clean_up_tokenization_spaces: true,
    model_input_names: ['input_ids', 'attention_mask'],
  };
}
