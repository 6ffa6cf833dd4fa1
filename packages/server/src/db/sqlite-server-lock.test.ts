import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError } from './database-in-use-error.js';
import { lockSqliteDatabase } from './sqlite-server-lock.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-lock-'));
  file = join(dir, 'sub', 'server.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid as number;

const refusal = (path: string) => {
  try {
    lockSqliteDatabase(path);
  } catch (error) {
    return error;
  }
  throw new Error('expected the lock to be refused');
};

describe('lockSqliteDatabase', () => {
  it('holds the file for one server: a second is refused, naming the first, until it is released', () => {
    const lock = lockSqliteDatabase(file);
    lock.setUrl('http://127.0.0.1:7400');
    const error = refusal(file);
    expect(DatabaseInUseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ path: file, holder: { pid: process.pid, url: 'http://127.0.0.1:7400' } });
    expect((error as Error).message).toContain(`another Baton server (pid ${process.pid}, http://127.0.0.1:7400`);
    lock.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    lockSqliteDatabase(file).release();
  });

  it('takes over at once a lock whose process is gone', () => {
    lockSqliteDatabase(file).release();
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const lock = lockSqliteDatabase(file);
    expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('refuses a lock file being written now, and takes over one left half-written long ago', () => {
    lockSqliteDatabase(file).release();
    writeFileSync(`${file}.lock`, '');
    expect(DatabaseInUseError.isInstance(refusal(file))).toBe(true);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, longAgo, longAgo);
    lockSqliteDatabase(file).release();
  });

  it('leaves alone a lock that another server took after it', () => {
    const lock = lockSqliteDatabase(file);
    const other = { pid: deadPid(), startedAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(`${file}.lock`, JSON.stringify(other));
    lock.release();
    expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8'))).toEqual(other);
  });
});
