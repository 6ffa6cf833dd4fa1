/** Response declarations the routes share: JSON bodies and the problem documents each error status answers with. */
import { problemSchema } from '@baton/protocol';
import type { z } from 'zod';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or invalid; `problems` lists every problem',
  401: 'No live key, or a wrong one',
  404: 'No such object in this project',
  409: 'The object is not in a state that allows this',
  413: 'The body is larger than the server accepts',
  415: 'The body is not application/json',
  422: 'The request is understood but cannot be carried out',
  429: 'Too many requests for this key; retry after `Retry-After` seconds',
};

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

/** The problems of `statuses`, and those every `/v1` route may answer: 401 (auth), 413 (body limit), 429 (rate). */
export function problems(...statuses: number[]) {
  const out: Record<
    number,
    { content: { 'application/problem+json': { schema: typeof problemSchema } }; description: string }
  > = {};
  for (const status of [401, 413, 429, ...statuses]) {
    out[status] = {
      content: { 'application/problem+json': { schema: problemSchema } },
      description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem details',
    };
  }
  return out;
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { 'application/json': { schema } }, required: true } };
}

export const bearer = [{ bearer: [] }];
