import { describe, expect, it } from 'vitest';
import { encodeData, isBlobReference, referencedBlobs, resolveBlobs } from './blob-codec.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

const resolveAll = (encoded: ReturnType<typeof encodeData>) =>
  resolveBlobs(JSON.parse(encoded.text), new Map(encoded.blobs.map((blob) => [blob.hash, blob.content])));

describe('encodeData', () => {
  it('keeps data at or under the threshold inline', () => {
    expect(encodeData({ b: 'x', a: 1 }, 100)).toEqual({ text: '{"a":1,"b":"x"}', blobs: [] });
    expect(encodeData('1234', 6)).toEqual({ text: '"1234"', blobs: [] });
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(encodeData('éééé', 9).blobs).toHaveLength(1);
    expect(encodeData('éééé', 10).blobs).toHaveLength(0);
  });

  it('moves a large value whole, addressed by the hash of its canonical JSON', () => {
    const value = ['a'.repeat(50)];
    const encoded = encodeData(value, 20);
    const hash = sha256Hex(canonicalJson(value));
    expect(encoded).toEqual({ text: `{"$blob":"${hash}"}`, blobs: [{ hash, content: canonicalJson(value) }] });
    expect(resolveAll(encoded)).toEqual(value);
  });

  it('moves only the large fields of an object when that is enough', () => {
    const value = { output: 'o'.repeat(200), durationMs: 3 };
    const encoded = encodeData(value, 120);
    expect(JSON.parse(encoded.text)).toEqual({ durationMs: 3, output: { $blob: sha256Hex(`"${'o'.repeat(200)}"`) } });
    expect(resolveAll(encoded)).toEqual(value);
  });

  it('moves the whole object when its small fields together are still too large', () => {
    const value = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`k${index}`, 'v'.repeat(10)]));
    const encoded = encodeData(value, 100);
    expect(isBlobReference(JSON.parse(encoded.text))).toBe(true);
    expect(resolveAll(encoded)).toEqual(value);
  });
});

describe('blob references', () => {
  it('are found at the top and in first-level fields only', () => {
    const hash = 'a'.repeat(64);
    expect(referencedBlobs({ $blob: hash })).toEqual([hash]);
    expect(referencedBlobs({ x: { $blob: hash }, y: 1 })).toEqual([hash]);
    expect(referencedBlobs({ x: { y: { $blob: hash } } })).toEqual([]);
    expect(referencedBlobs([{ $blob: hash }])).toEqual([]);
    expect(isBlobReference({ $blob: 'short' })).toBe(false);
    expect(isBlobReference({ $blob: hash, other: 1 })).toBe(false);
  });

  it('stay as they are when the blob is unknown', () => {
    const stored = { x: { $blob: 'b'.repeat(64) } };
    expect(resolveBlobs(stored, new Map())).toEqual(stored);
  });
});

describe('values shaped like markers', () => {
  const hash = 'c'.repeat(64);
  const roundTrip = (value: unknown, threshold = 1000) => resolveAll(encodeData(value, threshold));

  it('read back exactly as written, at the top, in fields and inside moved blobs', () => {
    for (const value of [
      { $blob: hash },
      { $blob: 'short' },
      { output: { $blob: hash }, n: 1 },
      { '$baton:literal': 1 },
      { '$baton:literal': { $blob: hash } },
      { a: { '$baton:literal': 'x' } },
      [{ $blob: hash }],
    ]) {
      expect(roundTrip(value)).toEqual(value);
      expect(roundTrip(value, 8)).toEqual(value);
    }
    const big = { $blob: hash, pad: 'p'.repeat(100) };
    expect(roundTrip({ keep: { $blob: hash }, big: 'b'.repeat(200) }, 120)).toEqual({
      keep: { $blob: hash },
      big: 'b'.repeat(200),
    });
    expect(roundTrip(big, 20)).toEqual(big);
  });

  it('never count as references of the stored form, even when a blob with that hash exists', () => {
    const encoded = encodeData({ output: { $blob: hash } }, 1000);
    expect(encoded.blobs).toEqual([]);
    expect(referencedBlobs(JSON.parse(encoded.text))).toEqual([]);
    const contents = new Map([[hash, '"someone else\'s blob"']]);
    expect(resolveBlobs(JSON.parse(encoded.text), contents)).toEqual({ output: { $blob: hash } });
    expect(resolveBlobs(JSON.parse(encodeData({ $blob: hash }, 1000).text), contents)).toEqual({ $blob: hash });
  });
});
