import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTextFile } from './read-text-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-read-text-'));
  await writeFile(join(dir, 'plan.json'), '{}');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readTextFile', () => {
  it('reads a file, and says in words why one could not be read, naming it', async () => {
    expect(await readTextFile(join(dir, 'plan.json'), 'plan file')).toBe('{}');
    await expect(readTextFile(join(dir, 'none.json'), 'plan file')).rejects.toThrow(
      /^cannot read plan file ".*none\.json": no such file$/,
    );
    await expect(readTextFile(dir, 'pairs file')).rejects.toThrow(/^cannot read pairs file ".*": it is a folder$/);
  });
});
