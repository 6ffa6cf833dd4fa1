import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { chainEntries, EMPTY_HEAD, entryHash, GENESIS_HASH, headAfter } from './journal-chain.js';

describe('entryHash', () => {
  it('is the SHA-256 of the canonical JSON of the whole entry', () => {
    const data = { z: [1, 2.5, 'é'], a: { nested: true, n: null }, '\u00e9': 1e21 };
    const envelope = { runId: 'run "1"', seq: 7, type: 'step-finish', stepKey: 'a/b', data, prevHash: GENESIS_HASH };
    expect(entryHash('run "1"', 7, 'step-finish', 'a/b', canonicalJson(data), GENESIS_HASH)).toBe(
      sha256Hex(canonicalize(envelope)!),
    );
    expect(entryHash('r', 0, 't', null, 'null', GENESIS_HASH)).toBe(
      sha256Hex(canonicalize({ runId: 'r', seq: 0, type: 't', stepKey: null, data: null, prevHash: GENESIS_HASH })!),
    );
  });

  it('changes with every field', () => {
    const base = entryHash('r', 1, 't', 's', '{"a":1}', GENESIS_HASH);
    expect(
      new Set([
        base,
        entryHash('r2', 1, 't', 's', '{"a":1}', GENESIS_HASH),
        entryHash('r', 2, 't', 's', '{"a":1}', GENESIS_HASH),
        entryHash('r', 1, 'u', 's', '{"a":1}', GENESIS_HASH),
        entryHash('r', 1, 't', null, '{"a":1}', GENESIS_HASH),
        entryHash('r', 1, 't', 's', '{"a":2}', GENESIS_HASH),
        entryHash('r', 1, 't', 's', '{"a":1}', '1'.repeat(64)),
      ]).size,
    ).toBe(7);
  });
});

describe('chainEntries', () => {
  it('numbers entries from the head and links each to the previous hash', () => {
    const entries = [
      { type: 'a', stepKey: null, data: '1', blobs: [] },
      { type: 'b', stepKey: 'x', data: '2', blobs: [] },
    ];
    const chained = chainEntries('run', EMPTY_HEAD, entries);
    expect(chained.map((entry) => [entry.seq, entry.prevHash])).toEqual([
      [0, GENESIS_HASH],
      [1, chained[0]!.hash],
    ]);
    const more = chainEntries('run', headAfter(EMPTY_HEAD, chained), entries.slice(0, 1));
    expect(more[0]).toMatchObject({ seq: 2, prevHash: chained[1]!.hash });
    expect(headAfter(EMPTY_HEAD, [])).toBe(EMPTY_HEAD);
  });
});

describe('canonicalJson', () => {
  it('sorts keys, drops undefined and rejects what JSON cannot hold', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: [undefined] })).toBe('{"b":1,"c":[null]}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/cannot be stored as JSON/);
  });
});
