import { ValidationError } from '@baton/core';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ServerTables } from '../db/server-tables.js';
import { createWebhooks, DEFAULT_RETRY_DELAYS_MS, type WebhooksOptions } from './create-webhooks.js';

const base: WebhooksOptions = {
  db: {} as Kysely<ServerTables>,
  dialect: 'sqlite',
  masterKey: new Uint8Array(32),
  allowPrivate: false,
  workerId: 'w',
};

describe('createWebhooks options', () => {
  it('accepts the documented defaults', () => {
    expect(() => createWebhooks(base)).not.toThrow();
    expect(DEFAULT_RETRY_DELAYS_MS).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000, 21_600_000]);
  });

  it.each<[string, Partial<WebhooksOptions>]>([
    ['masterKey', { masterKey: new Uint8Array(8) }],
    ['pollIntervalMs', { pollIntervalMs: 0 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['concurrency', { concurrency: 1.5 }],
    ['retryDelaysMs', { retryDelaysMs: [1, -1] }],
    ['workerId', { workerId: '' }],
  ])('refuses a bad %s', (path, overrides) => {
    try {
      createWebhooks({ ...base, ...overrides });
      expect.unreachable();
    } catch (error) {
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).problems[0]!.path).toBe(path);
    }
  });
});
