/**
 * The opaque cursor of keyset pages, newest first (orchestrations, webhook deliveries): the position (creation time
 * and id) of the last item shown, as base64url JSON. A cursor that does not decode to such a position is an
 * InvalidCursorError, which the API answers with a 400.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { InvalidCursorError } from './invalid-cursor-error.js';

export interface KeysetPosition {
  createdAt: number;
  id: string;
}

export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeKeysetCursor(cursor: string): KeysetPosition {
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new Error('not base64url');
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(cursor);
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    !Number.isSafeInteger(decoded[0]) ||
    typeof decoded[1] !== 'string'
  ) {
    throw new InvalidCursorError(cursor);
  }
  return { createdAt: decoded[0], id: decoded[1] };
}

/** The rows after `position` in newest-first order (by creation time, then id): for `select.where(…)`. */
export function olderThan(position: KeysetPosition): RawBuilder<SqlBool> {
  return sql<SqlBool>`(created_at < ${position.createdAt} or (created_at = ${position.createdAt} and id < ${position.id}))`;
}

/**
 * One page of `rows` read newest first with one row more than `limit` (so it is known whether a page follows): the
 * items, and the cursor of the next page or null on the last.
 */
export function keysetPage<Row extends { created_at: number; id: string }, Item>(
  rows: readonly Row[],
  limit: number,
  view: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(view),
    nextCursor:
      rows.length > limit && last !== undefined
        ? encodeKeysetCursor({ createdAt: last.created_at, id: last.id })
        : null,
  };
}
