/**
 * The invariants the process tests assert once the workers are done: every run succeeded with the right output (a
 * saga failed, with each effect compensated once) and a journal that verifies, holding exactly one `step-finish` per
 * step and one `run-finish` (a saga: one `run-fail`, one `compensation-finish` per effect); every side effect and
 * every compensation was written exactly once, by the invocation the log marks `applied`, under its idempotency key.
 */
import type { RunStore } from '@baton/core';
import { expect } from 'vitest';
import { effectSteps, expectedOutput, finishingSteps, type PlanName } from './durable-fixture.js';
import type { EffectLog, Invocation } from './effect-log.js';

export interface SubmittedRun {
  id: string;
  plan: Exclude<PlanName, 'pauses' | 'longWait'>;
  x: number;
}

/** Per idempotency key, the calls sorted by start; each must start after the one before it ended — or died. */
export function expectNoOverlap(
  byKey: ReadonlyMap<string, readonly Invocation[]>,
  diedAt: ReadonlyMap<string, number>,
): void {
  for (const [key, calls] of byKey) {
    const ordered = [...calls].sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < ordered.length; i++) {
      const before = ordered[i - 1]!;
      const end = before.endedAt ?? diedAt.get(before.engine);
      expect(end, `the end of call ${before.id} of ${key} (engine ${before.engine})`).toBeDefined();
      expect(ordered[i]!.startedAt, `two calls of ${key} at once`).toBeGreaterThanOrEqual(end!);
    }
  }
}

/** `<runId>:<stepKey>`: the idempotency key a durable run gives a step that sets none. */
export const stepKeyOf = (runId: string, stepKey: string) => `${runId}:${stepKey}`;

/** The effect keys a run must have written: its steps', and for a saga their compensations' too. */
function effectKeys(run: SubmittedRun): string[] {
  const steps = effectSteps(run.plan);
  const undone = run.plan === 'saga' ? steps.map((step) => `${step}:compensate`) : [];
  return [...steps, ...undone].map((step) => stepKeyOf(run.id, step));
}

/**
 * Checks runs and journals; returns when each step's `step-finish` entry (a compensation: its `compensation-finish`)
 * was written, by idempotency key.
 */
export async function checkRuns(store: RunStore, runs: readonly SubmittedRun[]): Promise<Map<string, number>> {
  const finishedAt = new Map<string, number>();
  for (const run of runs) {
    const stored = await store.getRun(run.id);
    const journal = await store.readJournal(run.id);
    const ofType = (type: string) => journal.filter((entry) => entry.type === type);
    const finishes = ofType('step-finish');
    expect(finishes.map((entry) => entry.stepKey).sort(), `step-finish entries of run ${run.id}`).toEqual(
      finishingSteps(run.plan).sort(),
    );
    for (const entry of finishes) finishedAt.set(stepKeyOf(run.id, entry.stepKey!), entry.createdAt);
    if (run.plan === 'saga') {
      expect(stored?.status, `saga ${run.id}`).toBe('failed');
      expect(ofType('run-fail'), `run-fail of saga ${run.id}`).toHaveLength(1);
      const undone = ofType('compensation-finish');
      // s2 came after s1, so it is undone first.
      expect(
        undone.map((entry) => entry.stepKey),
        `compensations of saga ${run.id}`,
      ).toEqual(['s2', 's1']);
      for (const entry of undone) finishedAt.set(stepKeyOf(run.id, `${entry.stepKey}:compensate`), entry.createdAt);
      expect(ofType('run-finish')).toEqual([]);
    } else {
      expect(stored?.status, `run ${run.id}`).toBe('succeeded');
      expect(stored?.output, `output of run ${run.id}`).toEqual(expectedOutput(run.plan, run.x));
      expect(ofType('run-finish'), `run-finish of run ${run.id}`).toHaveLength(1);
    }
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
  const expected = runs.flatMap(effectKeys).sort();
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
