import { invalidArgument } from '../../../../shared/errors.js';

export interface Limits {
  maxInputs: number;
  maxInputBytes: number;
}

/** Checks an Embed call's texts against the limits; messages say what to change. */
export function validateTexts(texts: readonly string[], limits: Limits): void {
  if (texts.length === 0) throw invalidArgument('texts is empty: send at least one text', 'empty_texts');
  if (texts.length > limits.maxInputs) {
    throw invalidArgument(
      `too many texts: ${texts.length} sent, the limit is ${limits.maxInputs} per request (EMBEDDER_MAX_INPUTS); split the batch`,
      'too_many_inputs',
    );
  }
  texts.forEach((text, i) => {
    if (text.trim() === '') throw invalidArgument(`texts[${i}] is empty: every text needs visible characters`, 'empty_text');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxInputBytes) {
      throw invalidArgument(
        `texts[${i}] is ${bytes} bytes, the limit is ${limits.maxInputBytes} bytes per text (EMBEDDER_MAX_INPUT_BYTES); split long documents into passages`,
        'input_too_large',
      );
    }
  });
}
