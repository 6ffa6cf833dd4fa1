/**
 * Remembers results by idempotency key: a repeated key returns the first result, and concurrent calls with the same
 * key share one execution. Failures are forgotten so the work can be tried again. Bounded: least recently used keys
 * are dropped past `maxEntries`, and entries expire after `ttlMs`.
 */
import { requireArgument } from '../errors/require-argument.js';
import { type Problem, ValidationError } from '../errors/validation-error.js';

export interface IdempotencyStore {
  /** The result (or the call in flight) for `key`, if any. */
  get(key: string): Promise<unknown> | undefined;
  /** Records a call in flight; a rejection removes the key. */
  set(key: string, result: Promise<unknown>): void;
  delete(key: string): void;
}

export interface MemoryIdempotencyOptions {
  /** @default 10000 */
  maxEntries?: number;
  /** @default 86400000 (one day) */
  ttlMs?: number;
}

export function createMemoryIdempotencyStore(options: MemoryIdempotencyOptions = {}): IdempotencyStore {
  const isObject = typeof options === 'object' && options !== null;
  requireArgument('createMemoryIdempotencyStore', 'options', isObject, 'an object like { maxEntries, ttlMs }', options);
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 86_400_000;
  const problems: Problem[] = [];
  if (!(Number.isInteger(maxEntries) && maxEntries >= 1)) {
    problems.push({
      path: 'maxEntries',
      code: 'range',
      message: `maxEntries must be an integer ≥ 1, got ${String(maxEntries)}`,
    });
  }
  if (!(typeof ttlMs === 'number' && ttlMs > 0)) {
    problems.push({ path: 'ttlMs', code: 'range', message: `ttlMs must be a number > 0, got ${String(ttlMs)}` });
  }
  if (problems.length > 0) throw new ValidationError('invalid idempotency store options', problems);
  const entries = new Map<string, { result: Promise<unknown>; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.result;
    },
    set(key, result) {
      const entry = { result, expiresAt: Date.now() + ttlMs };
      entries.set(key, entry);
      result.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
