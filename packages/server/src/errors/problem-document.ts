/**
 * An RFC 9457 problem document as the server writes it (`application/problem+json`), within bounds: a request with
 * 500,000 mistakes gets a short answer that names the first of them. `http/problem-response.ts` renders every error
 * with it; the socket gateway renders refused upgrades with it.
 */
import { clipText } from '@baton/core';
import type { HttpProblem, ProblemField } from './http-problem.js';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  problems?: ProblemField[];
}

/** Problem types are URNs: stable identifiers, not pages to fetch. */
const TYPE_BASE = 'urn:baton:problem:';

/** A document's bounds. */
const MAX_DETAIL = 1500;
const MAX_PROBLEMS = 100;
const MAX_PROBLEM_MESSAGE = 500;
const MAX_PROBLEM_PATH = 300;

/** `body` within the bounds: the detail and each problem clipped, the first `MAX_PROBLEMS` problems listed. */
export function bounded(body: ProblemDocument): ProblemDocument {
  body.detail = clipText(body.detail, MAX_DETAIL);
  const problems = body.problems;
  if (problems === undefined) return body;
  body.problems = problems.slice(0, MAX_PROBLEMS).map((problem) => ({
    path: clipText(problem.path, MAX_PROBLEM_PATH),
    code: clipText(problem.code, 100),
    message: clipText(problem.message, MAX_PROBLEM_MESSAGE),
  }));
  if (problems.length > MAX_PROBLEMS && !body.detail.includes('listed')) {
    body.detail = `${clipText(body.detail, MAX_DETAIL - 40)} (first ${MAX_PROBLEMS} of ${problems.length} listed)`;
  }
  return body;
}

/** The members every document has; `type` is a URN made of the code. */
export function problemBase(
  status: number,
  code: string,
  title: string,
  detail: string,
  instance?: string,
): ProblemDocument {
  return { type: `${TYPE_BASE}${code}`, title, status, detail, code, ...(instance === undefined ? {} : { instance }) };
}

/** The document of an `HttpProblem` (its own instance first), with its headers; bounded. */
export function httpProblemDocument(
  problem: HttpProblem,
  instance?: string,
): { body: ProblemDocument; headers: Record<string, string> } {
  const body = problemBase(problem.status, problem.code, problem.title, problem.message, instance);
  if (problem.instance !== undefined) body.instance = problem.instance;
  if (problem.problems !== undefined) body.problems = [...problem.problems];
  return { body: bounded(body), headers: { ...problem.headers } };
}
