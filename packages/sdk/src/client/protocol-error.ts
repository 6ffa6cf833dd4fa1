/** `BatonProtocolError`: the server answered, but not in the shape the protocol defines. */
import type { z } from 'zod';
import { BatonClientError } from './client-error.js';

export interface ProtocolIssue {
  /** Where in the body, e.g. `items.0.status`; empty for the body itself. */
  path: string;
  message: string;
}

export interface ProtocolErrorFields {
  method: string;
  url: string;
  /** What was expected, e.g. `an Orchestration` or `an event's data as JSON`. */
  expected: string;
  issues: readonly ProtocolIssue[];
}

export class BatonProtocolError extends BatonClientError {
  readonly method: string;
  readonly url: string;
  readonly expected: string;
  readonly issues: readonly ProtocolIssue[];

  constructor(fields: ProtocolErrorFields, options: { cause?: unknown } = {}) {
    const listed = fields.issues
      .slice(0, 5)
      .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
      .join('; ');
    const more = fields.issues.length > 5 ? ` (and ${fields.issues.length - 5} more)` : '';
    super(
      'protocol',
      `${fields.method} ${fields.url} answered something that is not ${fields.expected}: ${listed}${more}. ` +
        'The server and @baton/sdk may be of different versions.',
      options,
    );
    this.name = 'BatonProtocolError';
    this.method = fields.method;
    this.url = fields.url;
    this.expected = fields.expected;
    this.issues = fields.issues;
  }

  static override isInstance(error: unknown): error is BatonProtocolError {
    return BatonClientError.isInstance(error) && error.kind === 'protocol';
  }
}

export function issuesFromZod(error: z.ZodError): ProtocolIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
