import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirectory } from './make-directory.js';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('makeDirectory', () => {
  it('makes every missing level, and leaves an existing directory as it is', () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-mkdir-'));
    const deep = join(dir, 'a', 'b', 'c');
    makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeDirectory(deep);
    makeDirectory(dir);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it('throws the system error when a file is in the way', () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-mkdir-'));
    writeFileSync(join(dir, 'file'), '');
    expect(() => makeDirectory(join(dir as string, 'file'))).toThrow(/EEXIST/);
    expect(() => makeDirectory(join(dir as string, 'file', 'below'))).toThrow(/EEXIST|ENOTDIR/);
  });

  it.runIf(existsSync('/proc/self'))('fails at once under /proc, where a recursive mkdirSync never returns', () => {
    expect(() => makeDirectory('/proc/baton-nope/data')).toThrow(/ENOENT/);
  });
});
