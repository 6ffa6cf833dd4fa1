/**
 * What the worker process and the tests share: the plans, their expected outputs, the targets (an idempotent
 * side-effect service whose calls and compensations take a few random milliseconds, so kills land mid-step, and a
 * step that always refuses, so sagas compensate) and the worker's settings.
 */
import { existsSync } from 'node:fs';
import { NonRetryableError, type Plan, type PlanStep, type Registry } from '@baton/core';
import type { Call, EffectLocation, EffectLog } from './effect-log.js';

export interface WorkerConfig {
  /** A SQLite file path or a `postgres://` URL. */
  storeUrl: string;
  /** PostgreSQL: the schema of the store and of the effect tables. */
  schema?: string;
  effects: EffectLocation;
  engineId: string;
  /** Run the engine under its default name (`<hostname>-<pid>-<tag…>`) instead of `engineId`, which still labels its effects. */
  defaultEngineId?: boolean;
  leaseMs: number;
  /** @default 64 */
  maxActiveRuns?: number;
  /** @default 1000 */
  parkAfterMs?: number;
  /** How long one call of the `effect` target takes: uniform in [min, max] ms. */
  stepMs: [number, number];
  /**
   * While this file exists, every call of `effect` this worker starts stays open after logging its start, until its
   * step is aborted or the process dies: a test creates it to kill the worker with calls certainly in flight.
   */
  holdFile?: string;
  /** Close the engine and exit 0 once no run in the store is unfinished. */
  exitWhenDone?: boolean;
  /** Runs this worker starts itself with `engine.run` (the engine owns them) after `engine.start()`. */
  runs?: { plan: PlanName; runId: string; request: { x: number }; deadlineMs?: number }[];
}

const effect = (id: string, x: unknown, extra: Partial<PlanStep> = {}): PlanStep => ({
  id,
  target: 'effect',
  input: { x },
  ...extra,
});
const ref = (path: string) => ({ $ref: path });

export type PlanName = 'chain' | 'diamond' | 'short' | 'pauses' | 'saga' | 'mixed' | 'longWait';

export const plans: Record<PlanName, Plan> = {
  /** Five steps, one after another. */
  chain: {
    steps: [
      effect('s1', ref('request.x')),
      effect('s2', ref('steps.s1.output.x')),
      effect('s3', ref('steps.s2.output.x')),
      effect('s4', ref('steps.s3.output.x')),
      effect('s5', ref('steps.s4.output.x')),
    ],
    output: ref('steps.s5.output.x'),
  },
  /** `a`, then `b` and `c` in parallel, then `d` joining both. */
  diamond: {
    steps: [
      effect('a', ref('request.x')),
      effect('b', ref('steps.a.output.x')),
      effect('c', ref('steps.a.output.x')),
      { id: 'd', target: 'effect', input: { x: ref('steps.b.output.x'), y: ref('steps.c.output.x') } },
    ],
    output: ref('steps.d.output.x'),
  },
  /** Two effects, then a step that refuses: the run fails and both effects are compensated, `s2` before `s1`. */
  saga: {
    steps: [
      effect('s1', ref('request.x')),
      effect('s2', ref('steps.s1.output.x')),
      { id: 'no', target: 'refuse', dependsOn: ['s2'] },
    ],
  },
  /**
   * An effect, two effect-free steps (their entries may still be in flight when the next one starts), then an effect
   * that must only be called once both are journaled.
   */
  mixed: {
    steps: [
      effect('m1', ref('request.x')),
      { id: 'm2', target: 'double', input: { x: ref('steps.m1.output.x') } },
      { id: 'm3', target: 'double', input: { x: ref('steps.m2.output.x') } },
      effect('m4', ref('steps.m3.output.x')),
    ],
    output: ref('steps.m4.output.x'),
  },
  /** An effect, then a wait of a day: the run parks until its deadline, if it has one. */
  longWait: {
    steps: [effect('before', ref('request.x')), { id: 'nap', wait: { durationMs: 86_400_000 }, dependsOn: ['before'] }],
  },
  /** Three short steps, for the contention test. */
  short: {
    steps: [effect('p', ref('request.x')), effect('q', ref('steps.p.output.x')), effect('r', ref('request.x'))],
    output: { q: ref('steps.q.output.x'), r: ref('steps.r.output.x') },
  },
  /** A step, then an approval and a 1.5 s durable timer side by side, then a step that needs both. */
  pauses: {
    steps: [
      effect('before', ref('request.x')),
      {
        id: 'ok',
        approval: { prompt: 'Go on with {{steps.before.output.x}}?', data: { x: ref('steps.before.output.x') } },
      },
      { id: 'nap', wait: { durationMs: 1500 }, dependsOn: ['before'] },
      effect('after', ref('steps.ok.output.data.x'), { dependsOn: ['nap'] }),
    ],
    output: { x: ref('steps.after.output.x'), firedAt: ref('steps.nap.output.firedAt') },
  },
};

/** Step ids of a plan that call the `effect` target (the ones with a side effect). */
export function effectSteps(name: PlanName): string[] {
  return plans[name].steps.filter((step) => step.target === 'effect').map((step) => step.id);
}

/** Step ids of a plan that finish when its run goes well: every target step but the one that refuses. */
export function finishingSteps(name: PlanName): string[] {
  return plans[name].steps
    .filter((step) => step.target !== undefined && step.target !== 'refuse')
    .map((step) => step.id);
}

export function expectedOutput(name: Exclude<PlanName, 'pauses' | 'saga' | 'longWait'>, x: number): unknown {
  switch (name) {
    case 'chain':
      return x + 5;
    case 'diamond':
      return 2 * (x + 2) + 1;
    case 'short':
      return { q: x + 2, r: x + 1 };
    case 'mixed':
      return 4 * (x + 1) + 1;
  }
}

/** Sleeps `ms`, or rejects as soon as `signal` aborts (a detached or cancelled step stops its work). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Never resolves; rejects when `signal` aborts. */
function holdOpen(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Registers `effect`: `{ x, y? }` → `{ x: x + y + 1 }`. Each call logs an invocation, waits, writes its effect under
 * `ctx.idempotencyKey` (once per key), waits again and logs its end. Its compensation does the same as step
 * `<id>:compensate` (its key is `<runId>:<stepKey>:compensate`). `double` is effect-free; `refuse` fails for good.
 */
export function registerTargets(
  registry: Registry,
  options: { effects: EffectLog; engineId: string; stepMs: [number, number]; holdFile?: string; onCall?: () => void },
): void {
  const [min, max] = options.stepMs;
  const sideEffect = async (call: Call, signal: AbortSignal) => {
    const id = await options.effects.begin(call);
    const half = (min + Math.random() * (max - min)) / 2;
    try {
      if (options.holdFile !== undefined && existsSync(options.holdFile)) await holdOpen(signal);
      await pause(half, signal);
      await options.effects.apply(id, call);
      await pause(half, signal);
    } finally {
      await options.effects.end(id);
    }
  };
  registry.register({
    name: 'effect',
    kind: 'service',
    description: 'An idempotent side effect that takes a few milliseconds',
    handler: async (input: { x: number; y?: number }, ctx) => {
      options.onCall?.();
      const call = { runId: ctx.runId, stepKey: ctx.stepId, key: ctx.idempotencyKey ?? '', engine: options.engineId };
      await sideEffect(call, ctx.signal);
      return { x: input.x + (input.y ?? 0) + 1 };
    },
    compensate: async (ctx) => {
      const key = ctx.idempotencyKey;
      const call = { runId: ctx.runId, stepKey: `${ctx.stepId}:compensate`, key, engine: options.engineId };
      await sideEffect(call, ctx.signal);
    },
  });
  registry.register({
    name: 'double',
    description: 'Doubles x, touching nothing outside the run',
    effects: 'none',
    handler: (input: { x: number }) => ({ x: input.x * 2 }),
  });
  registry.register({
    name: 'refuse',
    description: 'Always refuses, so the run compensates',
    handler: () => {
      throw new NonRetryableError('refused on purpose');
    },
  });
}
