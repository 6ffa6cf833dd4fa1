import { describe, expect, it } from 'vitest';
import { refusedWhole, WriteBatcher } from './write-batcher.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A database stand-in whose statements end when the test says so. */
function fakeDatabase(options: { refuse?: (items: readonly number[]) => unknown; maxInFlight?: number } = {}) {
  const sent: { kind: 'many' | 'one'; items: number[] }[] = [];
  const pending: (() => void)[] = [];
  const answer = <T>(kind: 'many' | 'one', items: number[], result: () => T) =>
    new Promise<T>((resolve, reject) => {
      sent.push({ kind, items });
      pending.push(() => {
        const refusal = options.refuse?.(items);
        if (refusal === undefined) resolve(result());
        else reject(refusal);
      });
    });
  const batcher = new WriteBatcher<number, string>({
    send: (items) => answer('many', [...items], () => items.map((item) => `many:${item}`)),
    sendOne: (item) => answer('one', [item], () => `one:${item}`),
    maxInFlight: options.maxInFlight ?? 1,
    maxBatch: 3,
  });
  /** Ends the oldest statement on its way, then lets the batcher send what waits. */
  const endNext = async () => {
    pending.shift()?.();
    for (let at = 0; at < 3; at++) await turn();
  };
  return { batcher, sent, endNext };
}

describe('WriteBatcher', () => {
  it('sends a lone write at once, and what follows it while it is on its way together as the next', async () => {
    const { batcher, sent, endNext } = fakeDatabase();
    const lone = batcher.write(1);
    expect(sent).toEqual([{ kind: 'one', items: [1] }]);
    await endNext();
    expect(await lone).toBe('one:1');
    const writes = [2, 3, 4].map((item) => batcher.write(item));
    expect(sent.at(-1)).toEqual({ kind: 'one', items: [2] });
    await turn();
    expect(sent).toHaveLength(2);
    await endNext();
    expect(sent.at(-1)).toEqual({ kind: 'many', items: [3, 4] });
    await endNext();
    expect(await Promise.all(writes)).toEqual(['one:2', 'many:3', 'many:4']);
  });

  it('sends the writes of one turn together when two batches may be on their way at once', async () => {
    const { batcher, sent } = fakeDatabase({ maxInFlight: 2 });
    for (const item of [1, 2, 3]) void batcher.write(item);
    expect(sent).toEqual([{ kind: 'one', items: [1] }]);
    await turn();
    expect(sent).toEqual([
      { kind: 'one', items: [1] },
      { kind: 'many', items: [2, 3] },
    ]);
  });

  it('after a batch of several, waits for the end of the turn until eight batches in a row carried one write', async () => {
    const { batcher, sent, endNext } = fakeDatabase({ maxInFlight: 2 });
    for (const item of [1, 2, 3]) void batcher.write(item);
    await turn();
    await endNext();
    await endNext();
    expect(sent.at(-1)).toEqual({ kind: 'many', items: [2, 3] });
    for (let item = 10; item < 18; item++) {
      void batcher.write(item);
      expect(sent.at(-1)?.items).not.toEqual([item]);
      await turn();
      expect(sent.at(-1)).toEqual({ kind: 'one', items: [item] });
      await endNext();
    }
    void batcher.write(18);
    expect(sent.at(-1)).toEqual({ kind: 'one', items: [18] });
  });

  it('holds what arrives while batches are on their way, at most maxBatch to a batch', async () => {
    const { batcher, sent, endNext } = fakeDatabase();
    const writes = [1, 2, 3, 4, 5].map((item) => batcher.write(item));
    await turn();
    expect(sent).toEqual([{ kind: 'one', items: [1] }]);
    await endNext();
    expect(sent.at(-1)).toEqual({ kind: 'many', items: [2, 3, 4] });
    await endNext();
    await endNext();
    expect(await Promise.all(writes)).toEqual(['one:1', 'many:2', 'many:3', 'many:4', 'one:5']);
  });

  it('sends a batch the database refused whole again item by item, so only the item at fault fails', async () => {
    const refusal = Object.assign(new Error('invalid byte sequence'), { code: '22021', severity: 'ERROR' });
    const { batcher, sent, endNext } = fakeDatabase({ refuse: (items) => (items.includes(2) ? refusal : undefined) });
    const outcomes = Promise.allSettled([1, 2, 3].map((item) => batcher.write(item)));
    for (let at = 0; at < 4; at++) await endNext();
    expect(await outcomes).toEqual([
      { status: 'fulfilled', value: 'one:1' },
      { status: 'rejected', reason: refusal },
      { status: 'fulfilled', value: 'one:3' },
    ]);
    expect(sent.map((statement) => statement.kind)).toEqual(['one', 'many', 'one', 'one']);
  });

  it('fails every item of a batch whose connection was lost, since it may have been written', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    const { batcher, sent, endNext } = fakeDatabase({ refuse: () => lost });
    const outcomes = Promise.allSettled([1, 2, 3].map((item) => batcher.write(item)));
    await endNext();
    await endNext();
    expect(await outcomes).toEqual([1, 2, 3].map(() => ({ status: 'rejected', reason: lost })));
    expect(sent).toEqual([
      { kind: 'one', items: [1] },
      { kind: 'many', items: [2, 3] },
    ]);
  });

  it('tells a refused statement (a SQLSTATE) from a lost connection or a server going away', () => {
    expect(refusedWhole({ code: '40P01', severity: 'ERROR' })).toBe(true);
    expect(refusedWhole({ code: '23505', severity: 'ERROR' })).toBe(true);
    expect(refusedWhole({ code: '08006', severity: 'FATAL' })).toBe(false);
    expect(refusedWhole({ code: '57P01', severity: 'FATAL' })).toBe(false);
    expect(refusedWhole({ code: '23505' })).toBe(false);
    expect(refusedWhole(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(false);
    expect(refusedWhole({ code: 'ECONNRESET' })).toBe(false);
    expect(refusedWhole(new Error('timeout'))).toBe(false);
    expect(refusedWhole(null)).toBe(false);
  });
});
