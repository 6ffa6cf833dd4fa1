/**
 * Renders any error as an RFC 9457 problem document (`application/problem+json`): the caller's mistakes with their
 * 4xx status and every problem found, the engine's typed errors by their kind, anything else as a 500 whose detail
 * says nothing of the internals (the log has it, under the request id).
 */
import { BatonError, clipText, NotFoundError, ValidationError } from '@baton/core';
import { InvalidCursorError } from '../db/invalid-cursor-error.js';
import { HttpProblem, type ProblemField } from '../errors/http-problem.js';
import { WebhookUrlError } from '../webhooks/index.js';

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

/** A document's bounds: a request with 500,000 mistakes gets a short answer that names the first of them. */
const MAX_DETAIL = 1500;
const MAX_PROBLEMS = 100;
const MAX_PROBLEM_MESSAGE = 500;
const MAX_PROBLEM_PATH = 300;

/** `body` within the bounds: the detail and each problem clipped, the first `MAX_PROBLEMS` problems listed. */
function bounded(body: ProblemDocument): ProblemDocument {
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

export function problemDocument(
  error: unknown,
  instance?: string,
): { body: ProblemDocument; headers: Record<string, string> } {
  const { body, headers } = unboundedDocument(error, instance);
  return { body: bounded(body), headers };
}

function unboundedDocument(
  error: unknown,
  instance?: string,
): { body: ProblemDocument; headers: Record<string, string> } {
  const base = (status: number, code: string, title: string, detail: string): ProblemDocument => ({
    type: `${TYPE_BASE}${code}`,
    title,
    status,
    detail,
    code,
    ...(instance === undefined ? {} : { instance }),
  });
  if (HttpProblem.isInstance(error)) {
    const body = base(error.status, error.code, error.title, error.message);
    if (error.instance !== undefined) body.instance = error.instance;
    if (error.problems !== undefined) body.problems = [...error.problems];
    return { body, headers: { ...error.headers } };
  }
  if (ValidationError.isInstance(error)) {
    const body = base(400, error.code, 'Bad request', error.message);
    body.problems = error.problems.map((problem) => ({
      path: problem.path,
      code: problem.code,
      message: problem.message,
    }));
    return { body, headers: {} };
  }
  if (WebhookUrlError.isInstance(error) || InvalidCursorError.isInstance(error)) {
    const path = WebhookUrlError.isInstance(error) ? 'url' : 'cursor';
    const body = base(400, error.code, 'Bad request', error.message);
    body.problems = [
      { path, code: WebhookUrlError.isInstance(error) ? error.reason : 'invalid-cursor', message: error.message },
    ];
    return { body, headers: {} };
  }
  if (NotFoundError.isInstance(error)) return { body: base(404, error.code, 'Not found', error.message), headers: {} };
  if (BatonError.isInstance(error) && error.code === 'approval-expired') {
    return { body: base(409, error.code, 'Conflict', error.message), headers: {} };
  }
  return {
    body: base(
      500,
      'internal',
      'Internal server error',
      'the server failed; the log has the details under this request id',
    ),
    headers: {},
  };
}

export function problemResponse(error: unknown, instance?: string): Response {
  const { body, headers } = problemDocument(error, instance);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}
