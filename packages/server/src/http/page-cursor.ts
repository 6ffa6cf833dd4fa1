/**
 * Opaque cursors for keyset pagination: base64url of `{ t, i }`, the sort time and id of the last item shown. A cursor
 * that does not decode to that shape is the caller's mistake (400), named with its value.
 */
import { badRequest } from './http-problem.js';

export interface PageCursor {
  t: number;
  i: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor(text: string | undefined): PageCursor | undefined {
  if (text === undefined) return undefined;
  const refuse = () =>
    badRequest(
      'invalid-cursor',
      `cursor "${text.length > 60 ? `${text.slice(0, 60)}…` : text}" is not one this API gave; pass the nextCursor of the previous page`,
      [{ path: 'cursor', code: 'invalid-cursor', message: 'not a cursor this API gave' }],
    );
  if (!/^[A-Za-z0-9_-]{1,500}$/.test(text)) throw refuse();
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      typeof value === 'object' &&
      value !== null &&
      Number.isSafeInteger((value as PageCursor).t) &&
      typeof (value as PageCursor).i === 'string'
    ) {
      return { t: (value as PageCursor).t, i: (value as PageCursor).i };
    }
  } catch {
    // falls through to the refusal
  }
  throw refuse();
}
