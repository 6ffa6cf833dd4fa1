import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from './invalid-cursor-error.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor.js';

describe('delivery cursors', () => {
  it('round-trips a position', () => {
    const position = { createdAt: 1_767_000_000_000, id: 'msg_abc' };
    const cursor = encodeKeysetCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeysetCursor(cursor)).toEqual(position);
  });

  it.each([
    '',
    'has space',
    '%%%',
    Buffer.from('[1.5,"x"]').toString('base64url'),
    Buffer.from('["1","x"]').toString('base64url'),
    'a'.repeat(401),
  ])('refuses %j with the cursor in the error', (cursor) => {
    try {
      decodeKeysetCursor(cursor);
      expect.unreachable();
    } catch (error) {
      expect(InvalidCursorError.isInstance(error)).toBe(true);
      expect((error as InvalidCursorError).cursor).toBe(cursor);
      expect((error as InvalidCursorError).toJSON()).toMatchObject({ code: 'invalid-cursor' });
    }
  });
});
