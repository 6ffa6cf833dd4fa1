import { describe, expect, it } from 'vitest';
import { parseLabelledToolQueries } from './labelled-tool-queries.js';
import { ToolDataError } from './tool-data-error.js';

const failure = (text: string, names?: Set<string>) => {
  try {
    parseLabelledToolQueries(text, names);
  } catch (error) {
    if (ToolDataError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('parsed');
};

describe('parseLabelledToolQueries', () => {
  it('reads one labelled request per line, skipping blank lines', () => {
    const text =
      '{"query": "text mum", "expected": ["sms"]}\n\n{"query": "mail and text", "expected": ["email", "sms"]}\n';
    expect(parseLabelledToolQueries(text)).toEqual([
      { query: 'text mum', expected: ['sms'] },
      { query: 'mail and text', expected: ['email', 'sms'] },
    ]);
  });

  it('names the line and the problem of a bad one', () => {
    expect(failure('{"query": "a", "expected": ["x"]}\n{"query": "b",')).toMatchObject({ line: 2, input: 'queries' });
    expect(failure('{"query": "", "expected": ["x"]}').message).toMatch(/^line 1: "query" must be a non-empty string/);
    expect(failure('{"query": "a", "expected": []}').message).toMatch(/^line 1: "expected" must be a non-empty array/);
    expect(failure('{"query": "a", "expected": ["x", "nope"]}', new Set(['x'])).message).toBe(
      'line 1: expects "nope", which is not in the tool list',
    );
    expect(failure('\n \n').message).toBe('holds no queries');
  });
});
