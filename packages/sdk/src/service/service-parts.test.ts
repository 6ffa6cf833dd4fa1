import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { fileInstanceStore, memoryInstanceStore } from './instance-store.js';
import { reconnectDelay } from './reconnect-delay.js';
import { memoryResultCache } from './result-cache.js';
import { compileSchema } from './schema-validator.js';
import { socketUrl } from './service-connection.js';
import { TaskCancelledError } from './task-cancelled-error.js';
import { NonRetryableError, RetryableError, TaskFailedError } from './task-failed-error.js';

describe('reconnectDelay', () => {
  it('doubles its ceiling from the initial delay up to the maximum, with full jitter', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4].map((failures) => reconnectDelay(failures, {}, top))).toEqual([99, 199, 399, 799]);
    expect(reconnectDelay(40, {}, top)).toBe(29_999);
    expect(reconnectDelay(3, { initialDelayMs: 10, maxDelayMs: 25 }, top)).toBe(24);
    expect(reconnectDelay(5, {}, () => 0)).toBe(0);
  });
});

describe('socketUrl', () => {
  it('turns an http(s) base into the ws(s) socket URL', () => {
    expect(socketUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/v1/ws');
    expect(socketUrl('https://baton.example.com/api/')).toBe('wss://baton.example.com/api/v1/ws');
    expect(socketUrl('wss://baton.example.com')).toBe('wss://baton.example.com/v1/ws');
  });
});

describe('memoryResultCache', () => {
  it('forgets entries after their time to live and past its size cap', async () => {
    let now = 1_000;
    const cache = memoryResultCache({ maxEntries: 2, now: () => now });
    await cache.set('a', { output: 1 }, 100);
    await cache.set('b', { output: null }, 100);
    expect(await cache.get('b')).toEqual({ output: null });
    await cache.set('c', { output: 3 }, 100);
    expect(await cache.get('a')).toBeUndefined();
    now += 100;
    expect(await cache.get('c')).toBeUndefined();
  });
});

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

describe('compileSchema', () => {
  it('describes a zod schema as JSON Schema for its side of a transform', () => {
    const schema = z.object({ n: z.string().transform(Number) });
    expect(compileSchema(schema, 'input').jsonSchema).toMatchObject({ properties: { n: { type: 'string' } } });
    expect(compileSchema(schema, 'input').validate({ n: '4' })).toEqual({ ok: true, value: { n: 4 } });
  });

  it('validates common JSON Schema keywords locally', () => {
    const compiled = compileSchema(
      {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 2 },
          tags: { type: 'array', items: { type: 'string' } },
          size: { enum: ['s', 'm'] },
          nested: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
        },
        required: ['name'],
        additionalProperties: false,
      },
      'input',
    );
    expect(compiled.validatesLocally).toBe(true);
    expect(compiled.validate({ name: 'ab', tags: ['x'], size: 's', nested: { ok: true } }).ok).toBe(true);
    const bad = compiled.validate({ name: 'a', size: 'xl', extra: 1 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/name: .*/);
    expect(!bad.ok && bad.message).toMatch(/size/);
  });

  it('accepts everything for a schema it cannot convert, and nothing declared means no schema', () => {
    const compiled = compileSchema({ not: { type: 'string' } }, 'input');
    expect(compiled.validatesLocally).toBe(false);
    expect(compiled.validate('anything')).toEqual({ ok: true, value: 'anything' });
    expect(compileSchema(undefined, 'output').jsonSchema).toBeUndefined();
  });
});

describe('ConcurrencyLimit', () => {
  it('lets at most its limit through and hands each release to the next waiter', async () => {
    const limit = new ConcurrencyLimit(1);
    const first = await limit.acquire();
    let secondIn = false;
    const second = limit.acquire().then((release) => {
      secondIn = true;
      return release;
    });
    await Promise.resolve();
    expect(secondIn).toBe(false);
    first();
    first();
    (await second)();
    expect(limit.running).toBe(0);
  });
});

describe('errors', () => {
  it('carry typed fields and are recognised without instanceof', () => {
    const retry = new RetryableError('busy', { retryAfterMs: 10 });
    expect(retry).toMatchObject({ retryable: true, retryAfterMs: 10, code: 'retryable', name: 'RetryableError' });
    expect(new NonRetryableError('no')).toMatchObject({ retryable: false, code: 'non-retryable' });
    expect(TaskFailedError.isInstance(retry)).toBe(true);
    expect(TaskFailedError.isInstance(new Error('x'))).toBe(false);
    const cancelled = new TaskCancelledError({ taskId: 't', reason: 'deadline-exceeded', detail: 'soon' });
    expect(TaskCancelledError.isInstance(cancelled)).toBe(true);
    expect(cancelled.message).toBe('task t passed its deadline: soon');
  });
});
