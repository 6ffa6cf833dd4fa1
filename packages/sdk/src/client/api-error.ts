/**
 * `BatonApiError`: the server answered with a non-2xx status. Built from the RFC 9457 problem document when the body
 * is one, otherwise from the status and the start of the body's text. Its message lists the first few `problems` too,
 * so a validation error printed on its own says what to fix.
 */
import { type Problem, problemSchema } from '@baton/protocol';
import { BatonClientError } from './client-error.js';

/** How much of a body that is not a problem document goes into `detail`. */
const DETAIL_LIMIT = 500;
/** How many of `problems` the message lists, and how much of each one's message it keeps. */
const LISTED_PROBLEMS = 5;
const PROBLEM_MESSAGE_LIMIT = 200;

export interface ApiProblemItem {
  path: string;
  code: string;
  message: string;
}

export interface ApiErrorFields {
  status: number;
  code: string;
  title: string;
  detail: string;
  type: string;
  problems: readonly ApiProblemItem[];
  retryAfterMs: number | undefined;
  method: string;
  url: string;
}

export class BatonApiError extends BatonClientError {
  /** The HTTP status, e.g. 404. */
  readonly status: number;
  /** Baton's machine-readable code, e.g. `not-found`; `http-<status>` when the body was not a problem document. */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** The problem type URI; `about:blank` when the body was not a problem document. */
  readonly type: string;
  /** Every problem found, for validation errors; empty otherwise. */
  readonly problems: readonly ApiProblemItem[];
  /** From the `Retry-After` header, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  readonly method: string;
  /** The request's URL (it never holds the API key: that goes in the `Authorization` header). */
  readonly url: string;

  constructor(fields: ApiErrorFields) {
    const summary = `${fields.method} ${fields.url} answered ${fields.status} ${fields.title}: ${fields.detail}`;
    super('api', `${summary}${listProblems(fields.problems, fields.detail)}`);
    this.name = 'BatonApiError';
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.detail = fields.detail;
    this.type = fields.type;
    this.problems = fields.problems;
    this.retryAfterMs = fields.retryAfterMs;
    this.method = fields.method;
    this.url = fields.url;
  }

  static override isInstance(error: unknown): error is BatonApiError {
    return BatonClientError.isInstance(error) && error.kind === 'api';
  }
}

export interface ApiErrorSource {
  method: string;
  url: string;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  bodyText: string;
}

/** Builds the error for a non-2xx answer; `now` is only for `Retry-After` given as an HTTP date. */
export function apiErrorFromResponse(source: ApiErrorSource, now: number = Date.now()): BatonApiError {
  const retryAfterMs = parseRetryAfter(source.headers.get('retry-after'), now);
  const base = { method: source.method, url: source.url, status: source.status, retryAfterMs };
  const problem = parseProblem(source.bodyText);
  if (problem) {
    return new BatonApiError({
      ...base,
      code: problem.code,
      title: problem.title,
      detail: problem.detail,
      type: problem.type,
      problems: problem.problems ?? [],
    });
  }
  return new BatonApiError({
    ...base,
    code: `http-${source.status}`,
    title: source.statusText || `HTTP ${source.status}`,
    detail: clip(source.bodyText.trim(), DETAIL_LIMIT) || '(empty body)',
    type: 'about:blank',
    problems: [],
  });
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function parseProblem(text: string): Problem | undefined {
  try {
    const parsed = problemSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ` — path: message; …` for the first few problems the detail does not already state (a detail such as "the plan
 * has 3 problem(s)" names none of them), so a thrown error read on its own says what to fix.
 */
function listProblems(problems: readonly ApiProblemItem[], detail: string): string {
  const unstated = problems.filter((problem) => problem.message === '' || !detail.includes(problem.message));
  if (unstated.length === 0) return '';
  const listed = unstated
    .slice(0, LISTED_PROBLEMS)
    .map((problem) => `${problem.path || '(body)'}: ${clip(problem.message, PROBLEM_MESSAGE_LIMIT)}`);
  const more = unstated.length > LISTED_PROBLEMS ? ` (and ${unstated.length - LISTED_PROBLEMS} more in .problems)` : '';
  return ` — ${listed.join('; ')}${more}`;
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`;
}
