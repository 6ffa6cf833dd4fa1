import { describe, expect, it } from 'vitest';
import { normalize } from '../embedders/embedder.js';
import { VectorDimensionError } from '../errors.js';
import { FlatIndex } from './flat-index.js';
import { HnswIndex } from './hnsw-index.js';
import { PartitionIndex } from './partition-index.js';

function randomUnit(dimension: number, seed: number): Float32Array {
  let state = seed;
  const vector = new Float32Array(dimension);
  for (let d = 0; d < dimension; d++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    vector[d] = state / 4294967296 - 0.5;
  }
  return normalize(vector);
}

describe('FlatIndex', () => {
  it('returns the k most similar ids in order, with cosine similarity', () => {
    const index = new FlatIndex(3, 1);
    index.add('x', normalize(Float32Array.from([1, 0, 0])));
    index.add('y', normalize(Float32Array.from([1, 1, 0])));
    index.add('z', normalize(Float32Array.from([-1, 0, 0])));
    const results = index.search(Float32Array.from([1, 0, 0]), 2);
    expect(results.map((r) => r.id)).toEqual(['x', 'y']);
    expect(results[1]!.similarity).toBeCloseTo(Math.SQRT1_2, 5);
    expect(index.search(Float32Array.from([1, 0, 0]), 3)[2]!.similarity).toBeCloseTo(-1, 5);
  });

  it('keeps rows contiguous after removal and replaces a re-added id', () => {
    const index = new FlatIndex(2);
    index.add('a', Float32Array.from([1, 0]));
    index.add('b', Float32Array.from([0, 1]));
    index.remove('a');
    index.add('b', Float32Array.from([1, 0]));
    expect(index.size).toBe(1);
    expect(index.search(Float32Array.from([1, 0]), 5)).toEqual([{ id: 'b', similarity: 1 }]);
    expect(Array.from(index.vectorOf('b')!)).toEqual([1, 0]);
  });

  it('matches a brute-force ranking (dimension not a multiple of 4), through growth and shrinking', () => {
    const index = new FlatIndex(37);
    const vectors = new Map<string, Float32Array>();
    for (let i = 0; i < 300; i++) {
      vectors.set(`v${i}`, randomUnit(37, i + 1));
      index.add(`v${i}`, vectors.get(`v${i}`)!);
    }
    for (let i = 0; i < 250; i++) {
      index.remove(`v${i}`);
      vectors.delete(`v${i}`);
    }
    const query = randomUnit(37, 999);
    const expected = [...vectors]
      .map(([id, v]) => ({ id, similarity: v.reduce((sum, x, d) => sum + x * query[d]!, 0) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, 7);
    const found = index.search(query, 7);
    expect(found.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    for (const [i, r] of found.entries()) expect(r.similarity).toBeCloseTo(expected[i]!.similarity, 5);
  });
});

describe('a vector of the wrong dimension', () => {
  it.each([
    ['FlatIndex', () => new FlatIndex(4)],
    ['HnswIndex', () => new HnswIndex(4)],
  ])('%s refuses it on add and search instead of truncating or padding it', (_name, create) => {
    const index = create();
    index.add('ok', normalize(Float32Array.from([1, 0, 0, 0])));
    for (const wrong of [Float32Array.from([1, 0, 0]), Float32Array.from([1, 0, 0, 0, 0])]) {
      expect(() => index.add('bad', wrong)).toThrow(VectorDimensionError);
      expect(() => index.search(wrong, 1)).toThrow(/dimension \d, expected 4/);
    }
    expect(index.has('bad')).toBe(false);
    expect(index.ids()).toEqual(['ok']);
  });
});

describe('HnswIndex', () => {
  it('finds the exact nearest neighbour for ≥ 99% of queries over a few thousand random 100-d vectors', () => {
    const flat = new FlatIndex(100);
    const hnsw = new HnswIndex(100);
    for (let i = 0; i < 3000; i++) {
      const vector = randomUnit(100, i + 1);
      flat.add(`v${i}`, vector);
      hnsw.add(`v${i}`, vector);
    }
    let agree = 0;
    const queries = 300;
    for (let q = 0; q < queries; q++) {
      const query = randomUnit(100, 100_000 + q);
      if (flat.search(query, 1)[0]!.id === hnsw.search(query, 1)[0]!.id) agree++;
    }
    expect(agree / queries).toBeGreaterThanOrEqual(0.99);
  });

  it('returns exact similarities and stored vectors unchanged', () => {
    const hnsw = new HnswIndex(16);
    const vector = randomUnit(16, 7);
    hnsw.add('a', vector);
    hnsw.add('b', randomUnit(16, 8));
    expect(Array.from(hnsw.vectorOf('a')!)).toEqual(Array.from(vector));
    expect(hnsw.search(vector, 1)[0]).toEqual({ id: 'a', similarity: expect.closeTo(1, 6) });
  });

  it('never returns a removed id, and reuses its slot for the next add', () => {
    const hnsw = new HnswIndex(32, {}, 16);
    for (let i = 0; i < 40; i++) hnsw.add(`v${i}`, randomUnit(32, i + 1));
    hnsw.remove('v0');
    expect(hnsw.deleted).toBe(1);
    expect(hnsw.search(randomUnit(32, 1), 5).map((r) => r.id)).not.toContain('v0');
    hnsw.add('fresh', randomUnit(32, 1));
    expect(hnsw.deleted).toBe(0);
    expect(hnsw.size).toBe(40);
    expect(hnsw.search(randomUnit(32, 1), 1)[0]!.id).toBe('fresh');
    expect(hnsw.has('v0')).toBe(false);
    expect([...hnsw.entries()].map(([id]) => id)).toContain('fresh');
  });

  it('replaces the vector of a re-added id', () => {
    const hnsw = new HnswIndex(8);
    hnsw.add('a', randomUnit(8, 1));
    hnsw.add('b', randomUnit(8, 2));
    hnsw.add('a', randomUnit(8, 3));
    expect(hnsw.size).toBe(2);
    expect(hnsw.search(randomUnit(8, 3), 1)[0]!.id).toBe('a');
    expect(hnsw.nativeBytes()).toBeGreaterThan(0);
  });
});

describe('PartitionIndex', () => {
  it('never returns a vector from another partition', () => {
    const index = new PartitionIndex(2);
    index.add('p1', 'a', Float32Array.from([1, 0]));
    index.add('p2', 'b', Float32Array.from([1, 0]));
    expect(index.search('p1', Float32Array.from([1, 0]), 5).map((r) => r.id)).toEqual(['a']);
  });

  it('switches a partition to HNSW past the threshold, and back to flat below half of it', () => {
    const index = new PartitionIndex(8, { hnswThreshold: 50, buildInBackground: false });
    for (let i = 0; i < 60; i++) index.add('p', `v${i}`, randomUnit(8, i + 1));
    expect(index.kind('p')).toBe('hnsw');
    expect(index.search('p', randomUnit(8, 5), 1)[0]!.id).toBe('v4');
    expect(Array.from(index.vectorOf('p', 'v4')!)).toEqual(Array.from(randomUnit(8, 5)));
    for (let i = 0; i < 40; i++) index.remove(`v${i}`, 'p');
    expect(index.kind('p')).toBe('flat');
    expect(index.size('p')).toBe(20);
    expect(index.search('p', randomUnit(8, 45), 1)[0]!.id).toBe('v44');
    expect(index.vectorOf('p', 'v3')).toBeUndefined();
  });

  it('rebuilds an HNSW partition whose graph holds more deleted nodes than live ones', () => {
    const index = new PartitionIndex(8, { hnswThreshold: 20, buildInBackground: false });
    for (let i = 0; i < 100; i++) index.add('p', `v${i}`, randomUnit(8, i + 1));
    expect(index.kind('p')).toBe('hnsw');
    for (let i = 0; i < 55; i++) index.remove(`v${i}`);
    expect(index.kind('p')).toBe('hnsw');
    expect(index.size('p')).toBe(45);
    expect(index.nativeBytes()).toBeGreaterThan(0);
    for (let i = 55; i < 100; i++) expect(index.search('p', randomUnit(8, i + 1), 1)[0]!.id).toBe(`v${i}`);
  });

  it('builds the graph in the background, searching exactly meanwhile, with adds and removes kept', async () => {
    const index = new PartitionIndex(8, { hnswThreshold: 150 });
    for (let i = 0; i < 200; i++) index.add('p', `v${i}`, randomUnit(8, i + 1));
    expect(index.kind('p')).toBe('building');
    expect(index.search('p', randomUnit(8, 8), 1)[0]!.id).toBe('v7');
    index.remove('v7');
    index.add('p', 'late', randomUnit(8, 8));
    await index.whenBuilt();
    expect(index.kind('p')).toBe('hnsw');
    expect(index.size('p')).toBe(200);
    expect(index.search('p', randomUnit(8, 8), 1)[0]!.id).toBe('late');
    expect(index.has('p', 'v7')).toBe(false);
    for (let i = 100; i < 200; i++) expect(index.search('p', randomUnit(8, i + 1), 1)[0]!.id).toBe(`v${i}`);
  });

  it('finishes a build through searches alone, when timers never get a turn', () => {
    const index = new PartitionIndex(8, { hnswThreshold: 30 });
    for (let i = 0; i < 300; i++) index.add('p', `v${i}`, randomUnit(8, i + 1));
    for (let n = 0; n < 1000 && index.kind('p') === 'building'; n++) index.search('p', randomUnit(8, 1), 1);
    expect(index.kind('p')).toBe('hnsw');
    expect(index.search('p', randomUnit(8, 250), 1)[0]!.id).toBe('v249');
  });

  it('drops an emptied partition', () => {
    const index = new PartitionIndex(2);
    index.add('p', 'a', Float32Array.from([1, 0]));
    index.remove('a');
    expect(index.kind('p')).toBeUndefined();
    expect(index.search('p', Float32Array.from([1, 0]), 1)).toEqual([]);
  });
});
