import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

  it('file store: a second process of the same service takes the next slot; a dead one leaves its slot free', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'baton-store-'));
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await once(other, 'spawn');
      // Another live process holds the first slot, with its own id in it.
      await writeFile(path.join(directory, 'svc.json'), JSON.stringify({ instanceId: 'theirs' }));
      await writeFile(path.join(directory, 'svc.json.lock'), String(other.pid));
      const mine = fileInstanceStore({ directory });
      expect(await mine.load('svc')).toBeUndefined();
      await mine.save('svc', 'mine');
      expect(JSON.parse(await readFile(path.join(directory, 'svc.2.json'), 'utf8'))).toEqual({ instanceId: 'mine' });
      expect(JSON.parse(await readFile(path.join(directory, 'svc.json'), 'utf8'))).toEqual({ instanceId: 'theirs' });
      // A store of the same process finds its own slot again.
      expect(await fileInstanceStore({ directory }).load('svc')).toBe('mine');
    } finally {
      other.kill();
      await once(other, 'exit');
    }
    // The other process is gone: its slot (and its id) is free to be taken over.
    await writeFile(path.join(directory, 'svc.json.lock'), String(other.pid));
    await rm(path.join(directory, 'svc.2.json.lock'), { force: true });
    expect(await fileInstanceStore({ directory }).load('svc')).toBe('theirs');
    expect((await readFile(path.join(directory, 'svc.json.lock'), 'utf8')).trim()).toBe(String(process.pid));
    await rm(directory, { recursive: true, force: true });
  });

  it('memory store keeps ids per service name', async () => {
    const store = memoryInstanceStore();
    await store.save('a', '1');
    expect([await store.load('a'), await store.load('b')]).toEqual(['1', undefined]);
  });
});
