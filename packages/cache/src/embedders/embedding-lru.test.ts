import { describe, expect, it } from 'vitest';
import { EmbeddingLru } from './embedding-lru.js';

describe('EmbeddingLru', () => {
  it('returns copies and reuses the slot of the least recently used text', () => {
    const lru = new EmbeddingLru(2, 2);
    lru.set('a', Float32Array.from([1, 2]));
    lru.set('b', Float32Array.from([3, 4]));
    lru.get('a')![0] = 99;
    lru.set('c', Float32Array.from([5, 6]));
    expect(lru.get('b')).toBeUndefined();
    expect(Array.from(lru.get('a')!)).toEqual([1, 2]);
    expect(Array.from(lru.get('c')!)).toEqual([5, 6]);
    expect(lru.size).toBe(2);
  });

  it('overwrites a text already held, and keeps nothing when disabled or given another length', () => {
    const lru = new EmbeddingLru(100, 2);
    lru.set('a', Float32Array.from([1, 2]));
    lru.set('a', Float32Array.from([3, 4]));
    lru.set('long', Float32Array.from([1, 2, 3]));
    expect(Array.from(lru.get('a')!)).toEqual([3, 4]);
    expect(lru.get('long')).toBeUndefined();
    for (let i = 0; i < 150; i++) lru.set(`t${i}`, Float32Array.from([i, -i]));
    expect(Array.from(lru.get('t149')!)).toEqual([149, -149]);
    expect(lru.size).toBe(100);
    const off = new EmbeddingLru(0, 2);
    off.set('a', Float32Array.from([1, 2]));
    expect(off.get('a')).toBeUndefined();
  });
});
