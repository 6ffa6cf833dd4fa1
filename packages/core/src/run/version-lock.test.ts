import { describe, expect, it } from 'vitest';
import { LockedVersionMissingError } from '../errors/locked-version-missing-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import type { Plan } from '../plan/plan.js';
import { compilePlan } from '../plan/validate-plan.js';
import type { Registry } from '../registry/registry.js';
import { kit, ofType, rejectionOf, settle } from './test-kit.js';
import { VersionLock } from './version-lock.js';

/** A registry with `writer` at `versions` (each answers its own version) and a `gate` the test opens. */
function setup(...versions: string[]) {
  const k = kit();
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let entered: () => void = () => {};
  const waiting = new Promise<void>((resolve) => {
    entered = resolve;
  });
  k.add('gate', async () => {
    entered();
    await opened;
    return {};
  });
  for (const version of versions) registerWriter(k.registry, version);
  return { ...k, open, waiting };
}

function registerWriter(registry: Registry, version: string, calls?: string[]) {
  registry.register({
    name: 'writer',
    description: 'Writes',
    version,
    handler: () => {
      calls?.push(version);
      return { v: version };
    },
  });
}

const gated = (target = 'writer@^1'): Plan => ({
  steps: [
    { id: 'gate', target: 'gate' },
    { id: 'write', target, dependsOn: ['gate'] },
  ],
  output: { $ref: 'steps.write.output.v' },
});

describe('version locks', () => {
  it('locks every named step as the run starts: a version registered mid-run is not used by it', async () => {
    const k = setup('1.0.0');
    const handle = k.engine().run(gated());
    await k.waiting;
    registerWriter(k.registry, '1.1.0');
    k.open();
    const { result, events } = await settle(handle);
    expect(result?.output).toBe('1.0.0');
    expect(result?.steps.write?.target).toBe('writer@1.0.0');
    expect(result?.versions?.write).toEqual({ ref: 'writer@^1', target: 'writer@1.0.0' });
    expect(ofType(events, 'run-start')[0]?.versions).toEqual({
      gate: { ref: 'gate', target: 'gate@1.0.0' },
      write: { ref: 'writer@^1', target: 'writer@1.0.0' },
    });
    const next = await settle(k.engine().run(gated()));
    expect(next.result?.output).toBe('1.1.0');
  });

  it('retries the locked version even after a newer one is registered between attempts', async () => {
    const k = kit();
    const calls: string[] = [];
    k.registry.register({
      name: 'writer',
      description: 'Fails once',
      version: '1.0.0',
      handler: () => {
        calls.push('1.0.0');
        if (calls.length === 1) {
          registerWriter(k.registry, '1.5.0', calls);
          throw new Error('flaky');
        }
        return { v: '1.0.0' };
      },
    });
    const plan: Plan = {
      steps: [{ id: 'write', target: 'writer@^1', policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } } }],
    };
    const { result } = await settle(k.engine().run(plan));
    expect(result?.steps.write?.attempts).toBe(2);
    expect(calls).toEqual(['1.0.0', '1.0.0']);
  });

  it('fails the step with a typed error naming the locked version once it is gone', async () => {
    const k = setup('1.0.0');
    const handle = k.engine().run(gated());
    await k.waiting;
    registerWriter(k.registry, '1.1.0');
    k.registry.unregister('writer', '1.0.0');
    k.open();
    const error = await rejectionOf(handle.result());
    expect(StepFailedError.isInstance(error)).toBe(true);
    const cause = (error as Error).cause;
    expect(LockedVersionMissingError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ stepId: 'write', target: 'writer@1.0.0', registered: ['1.1.0'] });
    expect((cause as Error).message).toContain('locked to writer@1.0.0');
  });

  it('hands a step whose locked version is down to its fallback, never to another version', async () => {
    const k = setup('1.0.0');
    k.add('spare', () => ({ v: 'spare' }));
    const handle = k.engine().run({
      steps: [
        { id: 'gate', target: 'gate' },
        { id: 'write', target: 'writer@^1', dependsOn: ['gate'], policy: { fallback: 'spare' } },
      ],
      output: { $ref: 'steps.write.output.v' },
    });
    await k.waiting;
    registerWriter(k.registry, '1.1.0');
    k.registry.setHealth('writer', 'down', '1.0.0');
    expect(k.registry.get('writer', '1.0.0')?.health).toBe('down');
    k.open();
    const { result, events } = await settle(handle);
    expect(result?.output).toBe('spare');
    expect(ofType(events, 'step-fallback')[0]).toMatchObject({ from: 'writer@^1', to: 'spare' });
    expect(ofType(events, 'step-fallback')[0]?.error.message).toContain('every candidate is down (writer@1.0.0)');
  });

  it('locks a fallback when it is first resolved, and a capability for every replicate of the step', async () => {
    const k = setup('1.0.0');
    k.add('broken', () => {
      throw new Error('down for good');
    });
    const seen: string[] = [];
    for (const name of ['search-a', 'search-b']) {
      k.add(
        name,
        () => {
          seen.push(name);
          return { hits: 1 };
        },
        { capabilities: ['search'] },
      );
    }
    const plan: Plan = {
      steps: [
        { id: 'write', target: 'broken', policy: { retry: false, fallback: ['writer@^1'] } },
        { id: 'find', target: { capability: 'search' }, evidence: { k: 3, adaptive: false } },
      ],
    };
    const { result, events } = await settle(k.engine().run(plan));
    expect(ofType(events, 'run-start')[0]?.versions).toEqual({ write: { ref: 'broken', target: 'broken@1.0.0' } });
    expect(result?.versions?.['write#fallback-1']).toEqual({ ref: 'writer@^1', target: 'writer@1.0.0' });
    expect(result?.versions?.find?.ref).toBe('capability:search');
    // Without the lock, round-robin would spread the replicates over both targets.
    expect(new Set(seen).size).toBe(1);
    expect(seen).toHaveLength(3);
  });

  it("keeps an earlier run's versions when given them, for steps with the same reference only", async () => {
    const k = setup('1.0.0');
    k.open();
    const first = await k.engine().run(gated()).result();
    registerWriter(k.registry, '1.1.0');
    const again = await k.engine().run(gated(), {}, { versions: first.versions }).result();
    expect(again.output).toBe('1.0.0');
    const otherRef = await k.engine().run(gated('writer@1.x'), {}, { versions: first.versions }).result();
    expect(otherRef.output).toBe('1.1.0');
  });

  it('refuses run options whose versions are not locks', () => {
    const k = setup('1.0.0');
    expect(() => k.engine().run(gated(), {}, { versions: { write: { ref: 'writer' } } as never })).toThrow(
      /versions\.write: a lock is \{ ref, target: "name@version", migrations\? \}/,
    );
  });
});

describe('VersionLock.lockPlan', () => {
  it('locks every step naming a reference to what it resolves to, each step with a lock of its own', () => {
    const k = setup('1.0.0', '1.2.0');
    const plan = compilePlan(
      {
        steps: [
          { id: 'a', target: 'writer@^1' },
          { id: 'b', target: 'writer@^1' },
          { id: 'c', target: 'writer@1.0.0' },
          { id: 'd', target: 'writer@^1', dependsOn: ['a'] },
        ],
      },
      k.registry,
    );
    const added = new VersionLock(k.registry).lockPlan(plan);
    expect(added).toEqual({
      a: { ref: 'writer@^1', target: 'writer@1.2.0' },
      b: { ref: 'writer@^1', target: 'writer@1.2.0' },
      c: { ref: 'writer@1.0.0', target: 'writer@1.0.0' },
      d: { ref: 'writer@^1', target: 'writer@1.2.0' },
    });
    // Resolved once per reference, but no two steps share a lock object a caller could change for both.
    expect(added.a).not.toBe(added.b);
    added.a!.target = 'writer@1.0.0';
    expect(added.b!.target).toBe('writer@1.2.0');
  });
});
