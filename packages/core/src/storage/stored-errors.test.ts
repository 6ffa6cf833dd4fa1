/**
 * Every error class of `errors/` survives a trip through a real store: written as a failed run's error, read back
 * and rebuilt by `errorFromJSON`, it is the same class with the same typed fields, message and `retryable`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortRunError,
  ApprovalError,
  BatonError,
  BreakerOpenError,
  BudgetExceededError,
  CancelledError,
  errorFromJSON,
  NonRetryableError,
  NotFoundError,
  RetryableError,
  StepFailedError,
  TimeoutError,
  ValidationError,
} from '../errors/index.js';
import { serializeError } from '../run/serialize-error.js';
import { openStore } from './open-store.js';
import type { RunStore } from './run-store.js';

const POSTGRES_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Case {
  error: BatonError;
  isInstance: (error: unknown) => boolean;
  fields: Record<string, unknown>;
}

const cases: Case[] = [
  {
    error: new StepFailedError('charge', 'payments@2.0.0', 3, new Error('card declined')),
    isInstance: StepFailedError.isInstance,
    fields: { stepId: 'charge', target: 'payments@2.0.0', attempts: 3 },
  },
  {
    error: new AbortRunError({ refund: 12 }, 'the customer cancelled'),
    isInstance: AbortRunError.isInstance,
    fields: { payload: { refund: 12 } },
  },
  {
    error: new ApprovalError({ approvalId: 'ap-1', stepId: 'ok', outcome: 'rejected', reason: 'too costly' }),
    isInstance: ApprovalError.isInstance,
    fields: { approvalId: 'ap-1', stepId: 'ok', outcome: 'rejected', reason: 'too costly' },
  },
  {
    error: new ApprovalError({ approvalId: 'ap-2', stepId: 'ok', outcome: 'expired' }),
    isInstance: ApprovalError.isInstance,
    fields: { approvalId: 'ap-2', outcome: 'expired', reason: undefined },
  },
  {
    error: new BreakerOpenError('payments@2.0.0'),
    isInstance: BreakerOpenError.isInstance,
    fields: { target: 'payments@2.0.0' },
  },
  {
    error: new BudgetExceededError({
      budget: 'costUsd',
      scope: 'draft',
      limit: 0.5,
      amount: 0.75,
      phase: 'refused',
      stepId: 'draft',
    }),
    isInstance: BudgetExceededError.isInstance,
    fields: { budget: 'costUsd', scope: 'draft', limit: 0.5, amount: 0.75, phase: 'refused', stepId: 'draft' },
  },
  {
    error: new CancelledError('the user left'),
    isInstance: CancelledError.isInstance,
    fields: { reason: 'the user left' },
  },
  {
    error: new NotFoundError('no target "mail"', {
      query: 'mail@^1',
      unavailable: [{ name: 'mail', version: '1.2.0', reason: 'down' }],
      available: ['sms'],
    }),
    isInstance: NotFoundError.isInstance,
    fields: { query: 'mail@^1', unavailable: [{ name: 'mail', version: '1.2.0', reason: 'down' }], available: ['sms'] },
  },
  {
    error: new RetryableError('busy', { retryAfter: '120', status: 503 }),
    isInstance: RetryableError.isInstance,
    fields: { retryAfter: '120', status: 503 },
  },
  {
    error: new NonRetryableError('forbidden', { status: 403 }),
    isInstance: NonRetryableError.isInstance,
    fields: { status: 403 },
  },
  {
    error: new TimeoutError('fetch', 250),
    isInstance: TimeoutError.isInstance,
    fields: { scope: 'fetch', timeoutMs: 250, retryable: true },
  },
  {
    error: new TimeoutError('run', 1000),
    isInstance: TimeoutError.isInstance,
    fields: { scope: 'run', timeoutMs: 1000, retryable: false },
  },
  {
    error: new ValidationError('invalid input', [{ path: 'x', code: 'type', message: 'x must be a number' }]),
    isInstance: ValidationError.isInstance,
    fields: { problems: [{ path: 'x', code: 'type', message: 'x must be a number' }] },
  },
];

function roundTripSuite(name: string, open: () => Promise<RunStore>, dispose = async () => {}): void {
  describe(`errors read back from ${name}`, () => {
    let store: RunStore;
    afterAll(async () => {
      await store?.close();
      await dispose();
    });

    for (const [index, { error, isInstance, fields }] of cases.entries()) {
      it(`${error.name} (${error.code}) keeps its class and typed fields`, async () => {
        store ??= await open();
        const runId = `run-${index}`;
        await store.createRun({ id: runId, plan: { steps: [] }, request: {}, options: {}, owner: 'me', leaseMs: 1000 });
        await store.finishRun(runId, 'me', { status: 'failed', error: serializeError(error) });
        const read = errorFromJSON((await store.getRun(runId))?.error);
        expect(isInstance(read)).toBe(true);
        expect(read.name).toBe(error.name);
        expect(read.message).toBe(error.message);
        expect(read.retryable).toBe(error.retryable);
        expect(read).toMatchObject(fields);
        expect(read.toJSON()).toEqual(JSON.parse(JSON.stringify(error.toJSON())));
      });
    }

    it('keeps the code, name and fields of an error class it does not know', async () => {
      store ??= await open();
      const stored = { name: 'LeaseLostError', code: 'lease-lost', message: 'gone', retryable: true, runId: 'r-9' };
      await store.createRun({ id: 'unknown', plan: { steps: [] }, request: {}, options: {}, owner: 'me', leaseMs: 9 });
      await store.finishRun('unknown', 'me', { status: 'failed', error: stored });
      const read = errorFromJSON((await store.getRun('unknown'))?.error);
      expect(BatonError.isInstance(read)).toBe(true);
      expect(read).toMatchObject(stored);
      expect(read.toJSON()).toEqual(stored);
    });
  });
}

roundTripSuite('SQLite', () => openStore({ url: join(mkdtempSync(join(tmpdir(), 'baton-errors-')), 'baton.db') }));
const schema = `baton_e_${randomBytes(6).toString('hex')}`;
roundTripSuite(
  'PostgreSQL',
  () => openStore({ url: POSTGRES_URL, schema }),
  async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
  },
);
