import { describe, expect, it } from 'vitest';
import { makeProfile } from './profile.js';

describe('model profiles', () => {
  it('e5 prefixes queries and passages differently', () => {
    const p = makeProfile('e5', 'unused');
    expect(p.format('query', 'Wo ist der Bahnhof?')).toBe('query: Wo ist der Bahnhof?');
    expect(p.format('passage', 'Der Bahnhof liegt im Zentrum.')).toBe('passage: Der Bahnhof liegt im Zentrum.');
  });

  it('e5-instruct puts the task before queries and leaves passages plain', () => {
    const p = makeProfile('e5-instruct', 'Given a question, retrieve passages that answer it');
    expect(p.format('query', 'capital of France')).toBe('Instruct: Given a question, retrieve passages that answer it\nQuery: capital of France');
    expect(p.format('passage', 'Paris is the capital of France.')).toBe('Paris is the capital of France.');
  });
});
