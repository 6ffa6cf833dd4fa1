import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileInstanceStore, memoryInstanceStore } from './instance-store.js';

describe('instance stores', () => {
  it('file store: nothing before the first save, then the id in a 0600 file', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'baton-store-'));
    try {
      const store = fileInstanceStore({ directory: path.join(directory, 'nested') });
      expect(await store.load('svc')).toBeUndefined();
      await store.save('svc', 'instance-1');
      expect(await store.load('svc')).toBe('instance-1');
      expect((await stat(path.join(directory, 'nested', 'svc.json'))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('memory store keeps ids per service name', async () => {
    const store = memoryInstanceStore();
    await store.save('a', '1');
    expect([await store.load('a'), await store.load('b')]).toEqual(['1', undefined]);
  });
});
