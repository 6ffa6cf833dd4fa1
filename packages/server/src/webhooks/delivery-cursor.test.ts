import { describe, expect, it } from 'vitest';
import { decodeDeliveryCursor, encodeDeliveryCursor } from './delivery-cursor.js';
import { InvalidCursorError } from './invalid-cursor-error.js';

describe('delivery cursors', () => {
  it('round-trips a position', () => {
    const position = { createdAt: 1_767_000_000_000, id: 'msg_abc' };
    const cursor = encodeDeliveryCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeDeliveryCursor(cursor)).toEqual(position);
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
      decodeDeliveryCursor(cursor);
      expect.unreachable();
    } catch (error) {
      expect(InvalidCursorError.isInstance(error)).toBe(true);
      expect((error as InvalidCursorError).cursor).toBe(cursor);
      expect((error as InvalidCursorError).toJSON()).toMatchObject({ code: 'invalid-cursor' });
    }
  });
});
