/**
 * What a request that fails its route's schema gets: a 400 problem listing every issue as `{ path, code, message }`,
 * whose detail names the first few with the value found there (clipped, so a huge value costs a short line).
 */
import { describeValue } from '@baton/core';
import type { z } from 'zod';
import { badRequest } from './http-problem.js';

const PLACES: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'headers' };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** An issue's message, with where a plan's `steps` go when a body has them at its top. */
function messageOf(issue: z.core.$ZodIssue, place: string): string {
  const stepsAtTop =
    place === 'body' && issue.code === 'unrecognized_keys' && issue.path.length === 0 && issue.keys.includes('steps');
  if (stepsAtTop) return `${issue.message}; a plan's steps go under "plan": { "steps": [ … ] }`;
  // A misspelt filter would otherwise have been ignored, listing what it was meant to narrow: it is refused instead.
  if (place === 'query' && issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    return `${issue.keys.length === 1 ? 'not a query parameter' : 'not query parameters'} of this route: ${names}`;
  }
  return issue.message;
}

/**
 * The issues worth telling: a value of the wrong type is one problem, its type, not also the length or size checks
 * that ran on it anyway (`"name": []` is not a string; that it is an empty array says nothing more).
 */
function meaningfulIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const wrongType = new Set(
    issues.filter((issue) => issue.code === 'invalid_type').map((issue) => JSON.stringify(issue.path)),
  );
  if (wrongType.size === 0) return [...issues];
  return issues.filter((issue) => issue.code === 'invalid_type' || !wrongType.has(JSON.stringify(issue.path)));
}

export function validationProblem(target: string, error: z.ZodError, input?: unknown) {
  const place = PLACES[target] ?? target;
  const issues = meaningfulIssues(error.issues);
  const problems = issues.slice(0, 100).map((issue) => ({
    path: [place, ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: messageOf(issue, place),
  }));
  const more = issues.length > problems.length ? ` (first ${problems.length} listed)` : '';
  const shown = issues.slice(0, 3).map((issue, index) => {
    const value = issue.code === 'unrecognized_keys' ? undefined : valueAt(input, issue.path);
    const got = value === undefined ? '' : ` (got ${describeValue(value)})`;
    return `${problems[index]?.path}: ${problems[index]?.message}${got}`;
  });
  return badRequest(
    'invalid-request',
    `the request ${place} has ${issues.length} problem(s)${more}: ${shown.join('; ')}`,
    problems,
  );
}
