import { describe, expect, it } from 'vitest';
import { normalize } from '../embedders/embedder.js';
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
  });
});

describe('HnswIndex', () => {
  it('finds the same nearest neighbour as exact search', () => {
    const flat = new FlatIndex(32);
    const hnsw = new HnswIndex(32);
    for (let i = 0; i < 2000; i++) {
      const vector = randomUnit(32, i + 1);
      flat.add(`v${i}`, vector);
      hnsw.add(`v${i}`, vector);
    }
    let agree = 0;
    for (let q = 0; q < 50; q++) {
      const query = randomUnit(32, 10_000 + q);
      if (flat.search(query, 1)[0]!.id === hnsw.search(query, 1)[0]!.id) agree++;
    }
    expect(agree).toBeGreaterThanOrEqual(48);
    hnsw.remove('v0');
    expect(hnsw.search(randomUnit(32, 1), 1)[0]!.id).not.toBe('v0');
  });
});

describe('PartitionIndex', () => {
  it('never returns a vector from another partition', () => {
    const index = new PartitionIndex(2);
    index.add('p1', 'a', Float32Array.from([1, 0]));
    index.add('p2', 'b', Float32Array.from([1, 0]));
    expect(index.search('p1', Float32Array.from([1, 0]), 5).map((r) => r.id)).toEqual(['a']);
  });

  it('switches a partition to HNSW past the threshold', () => {
    const index = new PartitionIndex(8, { hnswThreshold: 50 });
    for (let i = 0; i < 60; i++) index.add('p', `v${i}`, randomUnit(8, i + 1));
    expect(index.kind('p')).toBe('hnsw');
    expect(index.search('p', randomUnit(8, 5), 1)[0]!.id).toBe('v4');
  });
});
