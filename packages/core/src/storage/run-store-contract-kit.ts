/** Shared pieces of the RunStore contract suite: the database fixture it needs and helpers to make runs. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { RunStore } from './run-store.js';

export interface ContractDatabase {
  /** Opens a store on this database; call it again for a second engine sharing the database. */
  open(): Promise<RunStore>;
  /** Runs SQL directly against the database (to tamper with it or look inside); returns the rows. */
  execute(statement: string): Promise<Record<string, unknown>[]>;
}

export interface ContractContext {
  /** A fresh, empty database; its stores are closed after the test. */
  database(): Promise<ContractDatabase>;
}

export const LONG_LEASE = 60_000;

export function newRun(owner: string, overrides: { id?: string; idempotencyKey?: string; leaseMs?: number } = {}) {
  return {
    id: overrides.id ?? randomUUID(),
    plan: { steps: [{ id: 'a', target: 'echo' }] },
    request: { text: 'hello' },
    options: { maxParallel: 2 },
    owner,
    leaseMs: overrides.leaseMs ?? LONG_LEASE,
    ...(overrides.idempotencyKey === undefined ? {} : { idempotencyKey: overrides.idempotencyKey }),
  };
}

/** A run nobody owns that any engine may claim now. */
export async function readyRun(store: RunStore, id: string = randomUUID()): Promise<string> {
  await store.createRun(newRun('creator', { id }));
  expect(await store.parkRun(id, 'creator', null)).toBe(true);
  await store.wakeRun(id);
  return id;
}
