/**
 * Prefix schemes. e5 models were trained with role prefixes; embedding a query
 * without "query: " (or a passage with it) does not fail, it silently lowers
 * recall. So the embedder applies them itself and never guesses the scheme.
 */
export type ProfileName = 'e5' | 'e5-instruct';
export type Role = 'query' | 'passage';

export interface ModelProfile {
  name: ProfileName;
  /** The exact text fed to the tokenizer for a caller's text of a role. */
  format(role: Role, text: string): string;
}

export const PROFILE_NAMES: readonly ProfileName[] = ['e5', 'e5-instruct'];

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && (PROFILE_NAMES as readonly string[]).includes(value);
}

export function makeProfile(name: ProfileName, instructTask: string): ModelProfile {
  switch (name) {
    case 'e5':
      return { name, format: (role, text) => (role === 'query' ? `query: ${text}` : `passage: ${text}`) };
    case 'e5-instruct':
      // multilingual-e5-large-instruct: queries carry a one-sentence task,
      // passages are embedded as they are.
      return { name, format: (role, text) => (role === 'query' ? `Instruct: ${instructTask}\nQuery: ${text}` : text) };
  }
}
