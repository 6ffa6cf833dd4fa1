/**
 * The invariants the process tests assert once the workers are done: every run succeeded with the right output and a
 * journal that verifies, holding exactly one `step-finish` per step and one `run-finish`; every side effect was
 * written exactly once, by the invocation the log marks `applied`, under the step's default idempotency key.
 */
import type { RunStore } from '@baton/core';
import { expect } from 'vitest';
import { effectSteps, expectedOutput, type PlanName } from './durable-fixture.js';
import type { EffectLog, Invocation } from './effect-log.js';

export interface SubmittedRun {
  id: string;
  plan: Exclude<PlanName, 'pauses'>;
  x: number;
}

/** `<runId>:<stepKey>`: the idempotency key a durable run gives a step that sets none. */
export const stepKeyOf = (runId: string, stepKey: string) => `${runId}:${stepKey}`;

/** Checks runs and journals; returns when each step's `step-finish` entry was written, by step key. */
export async function checkRuns(store: RunStore, runs: readonly SubmittedRun[]): Promise<Map<string, number>> {
  const finishedAt = new Map<string, number>();
  for (const run of runs) {
    const stored = await store.getRun(run.id);
    expect(stored?.status, `run ${run.id}`).toBe('succeeded');
    expect(stored?.output, `output of run ${run.id}`).toEqual(expectedOutput(run.plan, run.x));
    const journal = await store.readJournal(run.id);
    const finishes = journal.filter((entry) => entry.type === 'step-finish');
    expect(finishes.map((entry) => entry.stepKey).sort(), `step-finish entries of run ${run.id}`).toEqual(
      effectSteps(run.plan).sort(),
    );
    for (const entry of finishes) finishedAt.set(stepKeyOf(run.id, entry.stepKey!), entry.createdAt);
    expect(
      journal.filter((entry) => entry.type === 'run-finish'),
      `run-finish of run ${run.id}`,
    ).toHaveLength(1);
    expect(await store.verifyJournal(run.id), `journal of run ${run.id}`).toEqual({
      ok: true,
      entries: journal.length,
    });
  }
  return finishedAt;
}

/** Checks the effect log; returns the invocations by idempotency key. */
export async function checkEffects(
  effects: EffectLog,
  runs: readonly SubmittedRun[],
): Promise<Map<string, Invocation[]>> {
  const expected = runs.flatMap((run) => effectSteps(run.plan).map((step) => stepKeyOf(run.id, step))).sort();
  const written = await effects.effects();
  expect(written.map((effect) => effect.key)).toEqual(expected);
  for (const effect of written) expect(effect.key).toBe(stepKeyOf(effect.runId, effect.stepKey));
  const byKey = new Map<string, Invocation[]>();
  for (const invocation of await effects.invocations()) {
    expect(invocation.key, 'the idempotency key of a call').toBe(stepKeyOf(invocation.runId, invocation.stepKey));
    byKey.set(invocation.key, [...(byKey.get(invocation.key) ?? []), invocation]);
  }
  expect([...byKey.keys()].sort()).toEqual(expected);
  for (const [key, calls] of byKey) {
    expect(
      calls.filter((call) => call.applied),
      `calls of ${key} that wrote the effect`,
    ).toHaveLength(1);
  }
  return byKey;
}
