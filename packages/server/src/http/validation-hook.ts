/** What a request that fails its route's schema gets: a 400 problem listing every issue as `{ path, code, message }`. */
import type { z } from 'zod';
import { badRequest } from './http-problem.js';

const PLACES: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'headers' };

export function validationProblem(target: string, error: z.ZodError) {
  const place = PLACES[target] ?? target;
  const problems = error.issues.slice(0, 100).map((issue) => ({
    path: [place, ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: issue.message,
  }));
  const more = error.issues.length > problems.length ? ` (first ${problems.length} listed)` : '';
  return badRequest(
    'invalid-request',
    `the request ${place} has ${error.issues.length} problem(s)${more}: ${problems
      .slice(0, 3)
      .map((problem) => `${problem.path}: ${problem.message}`)
      .join('; ')}`,
    problems,
  );
}
