import type { z } from 'zod';
import { malformedRequest, type HttpProtocolError } from './status.js';

export type InputPart = 'body' | 'query parameter' | 'path parameter';

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  record: 'an object',
};

/**
 * Turns schema issues of a request part into one 400 whose message names the
 * field and what it must be. Only field names appear, never a value: bodies
 * carry document and query text. A lowerCamelCase field gets a hint, because
 * the API spells fields like the proto (snake_case).
 */
export function shapeError(part: InputPart, issues: readonly z.core.$ZodIssue[]): HttpProtocolError {
  const shown = issues.slice(0, 3).map((issue) => describe(part, issue));
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  const reason = issues.some((i) => i.code === 'unrecognized_keys') ? 'unknown_field' : 'invalid_field';
  return malformedRequest(reason, `${shown.join('; ')}${more}`);
}

function describe(part: InputPart, issue: z.core.$ZodIssue): string {
  const where = location(part, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return `${where} must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return `${where} must be at most ${String(issue.maximum)}`;
    case 'too_small':
      return `${where} must be at least ${String(issue.minimum)}`;
    case 'invalid_value':
      return `${where} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys': {
      const names = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      const camel = issue.keys.find((k) => /[a-z][A-Z]/.test(k));
      const hint = camel ? ` (fields are snake_case, e.g. ${snake(camel)})` : '';
      return part === 'body' ? `${where} has no field ${names}${hint}` : `unknown ${part} ${names}${hint}`;
    }
    default:
      return `${where}: ${issue.message}`;
  }
}

function location(part: InputPart, path: readonly PropertyKey[]): string {
  if (part !== 'body') return `${part} ${String(path[0] ?? '')}`.trim();
  let out = 'body';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
