/**
 * The server's master key, from which webhook signing secrets are derived: given (hex or base64, at least 32 bytes),
 * or for SQLite a key file beside the database, created once with mode 0600. PostgreSQL replicas must share one, so
 * there it must be given.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeDirectory, type StoreLocation, ValidationError } from '@baton/core';

function decode(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const bytes =
    /^[0-9a-f]+$/i.test(trimmed) && trimmed.length % 2 === 0
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'base64');
  return bytes.length >= 32 ? bytes : undefined;
}

function refuse(message: string): ValidationError {
  return new ValidationError('startServer: bad secretKey', [{ path: 'secretKey', code: 'secret-key', message }]);
}

/** Where the key came from, for a message about it: the variable, or the key file beside the SQLite database. */
export function secretKeySource(given: string | undefined, location: StoreLocation): string {
  return given !== undefined || location.dialect !== 'sqlite'
    ? 'BATON_SECRET_KEY'
    : `the key in ${join(dirname(location.path), 'secret.key')}`;
}

export function loadSecretKey(given: string | undefined, location: StoreLocation): Buffer {
  if (given !== undefined) {
    const key = decode(given);
    if (key === undefined)
      throw refuse('BATON_SECRET_KEY must be at least 32 bytes, hex or base64 (e.g. `openssl rand -hex 32`)');
    return key;
  }
  if (location.dialect !== 'sqlite') {
    throw refuse(
      'set BATON_SECRET_KEY (at least 32 bytes, hex or base64, the same on every replica) when the database is PostgreSQL',
    );
  }
  const file = join(dirname(location.path), 'secret.key');
  try {
    const key = decode(readFileSync(file, 'utf8'));
    if (key === undefined) throw refuse(`${file} does not hold a key of at least 32 bytes`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  makeDirectory(dirname(file));
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(undefined, location);
    throw error;
  }
}
