/**
 * Turns a received frame into a typed message, or a problem that says what was wrong with which part — the answer a
 * `protocol-error` carries back. Never throws.
 */
import type { z } from 'zod';
import type { ServerMessage, ServiceMessage } from './messages.js';
import { serverMessageSchema, serviceMessageSchema } from './messages.js';

export interface MessageProblem {
  /** `invalid-json`, `not-an-object`, `unknown-type`, `invalid-message`. */
  code: string;
  message: string;
  /** The message's `id`, when it had a usable one. */
  of?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: MessageProblem };

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** What a field must be, in words, for zod's `expected` of a wrong type. */
const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  literal: 'the literal value',
};

function valueAt(record: unknown, path: readonly PropertyKey[]): unknown {
  let value = record;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A wrong-typed field said plainly: `is required` when it is missing, else what it must be and what it was. */
function issueText(issue: z.core.$ZodIssue, record: unknown): string {
  if (issue.code !== 'invalid_type') return issue.message;
  const value = valueAt(record, issue.path);
  if (value === undefined) return 'is required';
  const expected = EXPECTED[issue.expected];
  return expected === undefined
    ? issue.message
    : `must be ${expected}, got ${clip(JSON.stringify(value) ?? String(value), 60)}`;
}

function describeIssues(error: z.ZodError, record: unknown): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${issueText(issue, record)}`)
    .join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, types: readonly string[], frame: string): Parsed<T> {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch (error) {
    return { ok: false, problem: { code: 'invalid-json', message: `not JSON: ${clip(frame)} (${String(error)})` } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: { code: 'not-an-object', message: `a message is a JSON object, got ${clip(frame)}` } };
  }
  const record = value as Record<string, unknown>;
  const of = typeof record.id === 'string' && record.id.length <= 200 ? record.id : undefined;
  const withOf = (problem: Omit<MessageProblem, 'of'>): Parsed<T> => ({
    ok: false,
    problem: of === undefined ? problem : { ...problem, of },
  });
  if (record.type === undefined) {
    return withOf({ code: 'unknown-type', message: `a message needs a "type": one of ${types.join(', ')}` });
  }
  if (typeof record.type !== 'string' || !types.includes(record.type)) {
    return withOf({
      code: 'unknown-type',
      message: `unknown message type ${clip(JSON.stringify(record.type) ?? 'undefined')}; expected one of ${types.join(', ')}`,
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return withOf({ code: 'invalid-message', message: `${record.type}: ${describeIssues(parsed.error, record)}` });
  }
  return { ok: true, value: parsed.data };
}

const SERVICE_TYPES = serviceMessageSchema.options.map((option) => option.shape.type.value);
const SERVER_TYPES = serverMessageSchema.options.map((option) => option.shape.type.value);

/** A frame a service sent (what the server reads). */
export function parseServiceMessage(frame: string): Parsed<ServiceMessage> {
  return parseWith(serviceMessageSchema, SERVICE_TYPES, frame);
}

/** A frame the server sent (what a service reads). */
export function parseServerMessage(frame: string): Parsed<ServerMessage> {
  return parseWith(serverMessageSchema, SERVER_TYPES, frame);
}
