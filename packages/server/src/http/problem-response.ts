/**
 * Renders any error as an RFC 9457 problem document (`application/problem+json`): the caller's mistakes with their
 * 4xx status and every problem found, the engine's typed errors by their kind, anything else as a 500 whose detail
 * says nothing of the internals (the log has it, under the request id).
 */
import { BatonError, NotFoundError, ValidationError } from '@baton/core';
import { InvalidCursorError } from '../db/invalid-cursor-error.js';
import { HttpProblem } from '../errors/http-problem.js';
import { bounded, httpProblemDocument, type ProblemDocument, problemBase } from '../errors/problem-document.js';
import { WebhookUrlError } from '../webhooks/index.js';

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
  const base = (status: number, code: string, title: string, detail: string): ProblemDocument =>
    problemBase(status, code, title, detail, instance);
  if (HttpProblem.isInstance(error)) return httpProblemDocument(error, instance);
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
