/**
 * An error the HTTP layer answers as an RFC 9457 problem document with a 4xx status: the caller's mistake, named with
 * its value. Thrown by routes and services; `problem-response.ts` renders it.
 */
import { BatonError, clipText } from '@baton/core';

export interface ProblemField {
  path: string;
  code: string;
  message: string;
}

export class HttpProblem extends BatonError {
  readonly status: number;
  readonly title: string;
  readonly problems: readonly ProblemField[] | undefined;
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;
  /** What the problem is about, when it is a resource (else the request's id is the problem's instance). */
  readonly instance: string | undefined;

  constructor(
    status: number,
    code: string,
    title: string,
    detail: string,
    options: { problems?: readonly ProblemField[]; headers?: Record<string, string>; instance?: string } = {},
  ) {
    super(code, detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.problems = options.problems;
    this.headers = options.headers ?? {};
    this.instance = options.instance;
  }

  static override isInstance(error: unknown): error is HttpProblem {
    return BatonError.isInstance(error) && typeof (error as { status?: unknown }).status === 'number';
  }
}

/** 404 for a missing object — also for another project's object, so ids never reveal what exists. */
export function notFound(kind: string, id: string): HttpProblem {
  const shown = id.length > 100 ? `${id.slice(0, 100)}…` : id;
  return new HttpProblem(404, 'not-found', 'Not found', `no ${kind} "${shown}" in this project`);
}

/** 401 with the Bearer challenge: no credential, a wrong one, or a key revoked. */
export function unauthorized(detail: string): HttpProblem {
  return new HttpProblem(401, 'unauthorized', 'Unauthorized', detail, {
    headers: { 'WWW-Authenticate': 'Bearer realm="baton"' },
  });
}

export function badRequest(code: string, detail: string, problems?: readonly ProblemField[]): HttpProblem {
  return new HttpProblem(400, code, 'Bad request', detail, problems === undefined ? {} : { problems });
}

export function conflict(code: string, detail: string): HttpProblem {
  return new HttpProblem(409, code, 'Conflict', detail);
}

/** 404 for a path (or a path and method) no route takes. */
export function noRoute(method: string, path: string): HttpProblem {
  return new HttpProblem(404, 'no-route', 'Not found', `no route ${clipText(method, 20)} ${clipText(path, 200)}`);
}

/** 413 for a body over the limit; the connection closes after the answer, since the rest of the body is not read. */
export function bodyTooLarge(limitBytes: number): HttpProblem {
  return new HttpProblem(413, 'body-too-large', 'Content too large', `the body is larger than ${limitBytes} bytes`, {
    headers: { Connection: 'close' },
  });
}
