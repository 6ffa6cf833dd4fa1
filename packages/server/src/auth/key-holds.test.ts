import { describe, expect, it } from 'vitest';
import { KeyHolds } from './key-holds.js';

describe('KeyHolds', () => {
  it('revoking a key aborts every request held with it, and says it was revoked', () => {
    const holds = new KeyHolds();
    const a = holds.hold('key_1');
    const b = holds.hold('key_1');
    const other = holds.hold('key_2');
    holds.revoke('key_1');
    expect([a.signal.aborted, b.signal.aborted, a.revoked, b.revoked]).toEqual([true, true, true, true]);
    expect([other.signal.aborted, other.revoked]).toEqual([false, false]);
    expect([...holds.keyIds()]).toEqual(['key_2']);
  });

  it('aborts with any signal it was made with (the client gone, the server closing), which is no revocation', () => {
    const holds = new KeyHolds();
    const client = new AbortController();
    const closing = new AbortController();
    const hold = holds.hold('key_1', [client.signal, closing.signal]);
    expect(hold.signal.aborted).toBe(false);
    closing.abort();
    expect([hold.signal.aborted, hold.revoked]).toEqual([true, false]);
  });

  it('is aborted at once when a signal it was made with already is', () => {
    const holds = new KeyHolds();
    const hold = holds.hold('key_1', [AbortSignal.abort()]);
    expect([hold.signal.aborted, hold.revoked]).toEqual([true, false]);
  });

  it('forgets a released request: a later revocation or abort leaves it alone', () => {
    const holds = new KeyHolds();
    const client = new AbortController();
    const hold = holds.hold('key_1', [client.signal]);
    hold.release();
    expect(holds.keyIds().size).toBe(0);
    client.abort();
    holds.revoke('key_1');
    expect([hold.signal.aborted, hold.revoked]).toEqual([false, false]);
  });
});
