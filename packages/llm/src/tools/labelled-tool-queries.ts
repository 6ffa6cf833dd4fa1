/** Reads JSON Lines of labelled tool requests, `{ "query": "...", "expected": ["tool", ...] }`, naming a bad line. */
import { describeValue } from '@baton/core';
import { ToolDataError } from './tool-data-error.js';

export interface LabelledToolQuery {
  query: string;
  /** Every tool the request needs. */
  expected: string[];
}

function parseLine(line: string, number: number, known: ReadonlySet<string> | undefined): LabelledToolQuery {
  let value: { query?: unknown; expected?: unknown };
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ToolDataError('queries', `not valid JSON (${describeValue(line)})`, { line: number }, { cause: error });
  }
  const shape = 'each line must be { "query": "...", "expected": ["tool name", ...] }';
  if (typeof value !== 'object' || value === null || typeof value.query !== 'string' || value.query.trim() === '') {
    throw new ToolDataError('queries', `"query" must be a non-empty string; ${shape}, got ${describeValue(value)}`, {
      line: number,
    });
  }
  const expected = value.expected;
  if (!Array.isArray(expected) || expected.length === 0 || expected.some((name) => typeof name !== 'string')) {
    throw new ToolDataError(
      'queries',
      `"expected" must be a non-empty array of tool names; ${shape}, got ${describeValue(expected)}`,
      {
        line: number,
      },
    );
  }
  const unknown = known ? expected.find((name: string) => !known.has(name)) : undefined;
  if (unknown !== undefined) {
    throw new ToolDataError('queries', `expects ${describeValue(unknown)}, which is not in the tool list`, {
      line: number,
    });
  }
  return { query: value.query, expected: expected as string[] };
}

/**
 * @example
 * const queries = parseLabelledToolQueries(text, new Set(tools.map((tool) => tool.name)));
 */
export function parseLabelledToolQueries(text: string, toolNames?: ReadonlySet<string>): LabelledToolQuery[] {
  const queries: LabelledToolQuery[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() !== '') queries.push(parseLine(line, index + 1, toolNames));
  });
  if (queries.length === 0) throw new ToolDataError('queries', 'holds no queries');
  return queries;
}
