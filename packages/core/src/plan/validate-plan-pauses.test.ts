import { describe, expect, it } from 'vitest';
import { testRegistry } from './__fixtures__/registry.js';
import { MAX_WAIT_MS } from './compile-pause.js';
import { validatePlan } from './validate-plan.js';

const registry = testRegistry();
const lookup = { id: 'lookup', target: 'lookup', input: { id: 'c-1' } };

describe('approval and wait steps', () => {
  it('compiles an approval whose prompt and data read earlier steps, and makes it depend on them', () => {
    const result = validatePlan(
      {
        steps: [
          lookup,
          {
            id: 'ok',
            approval: {
              prompt: 'Refund {{steps.lookup.output.name}}?',
              data: { tier: { $ref: 'steps.lookup.output.tier' } },
              expiresInMs: 60_000,
              onExpire: 'default',
              default: { refund: false },
            },
          },
          { id: 'after', target: 'score', input: { text: { $ref: 'steps.ok.output.decision' } } },
        ],
      },
      registry,
    );
    expect(result.problems).toEqual([]);
    const step = result.plan?.graph.byId.get('ok');
    expect(step?.deps).toEqual([0]);
    expect(step?.approval?.onExpire).toBe('default');
    expect(result.parallelGroups).toEqual([['lookup'], ['ok'], ['after']]);
  });

  it('compiles waits by duration and by a referenced date', () => {
    const result = validatePlan(
      {
        steps: [
          { id: 'pause', wait: { durationMs: 1000 } },
          { id: 'until', wait: { until: { $ref: 'request.data.at' } }, dependsOn: ['pause'] },
          { id: 'fixed', wait: { until: '2030-01-01T00:00:00Z' } },
        ],
      },
      registry,
    );
    expect(result.problems).toEqual([]);
    expect(result.plan?.graph.byId.get('pause')?.wait?.durationMs).toBe(1000);
  });

  it('reports every problem of malformed pause steps', () => {
    const result = validatePlan(
      {
        steps: [
          { id: 'a', approval: { prompt: '', expiresInMs: -1, onExpire: 'maybe', extra: 1 } },
          { id: 'b', approval: { prompt: 'ok?', onExpire: 'default' } },
          { id: 'c', wait: { durationMs: 5, until: '2030-01-01' } },
          { id: 'd', wait: { until: 'next tuesday-ish' } },
          { id: 'e', wait: { durationMs: -3 } },
          { id: 'f', target: 'lookup', input: { id: 'x' }, approval: { prompt: 'both?' } },
          { id: 'g' },
          { id: 'h', approval: { prompt: 'Hi {{steps.nope.output.x}}' } },
        ],
      },
      registry,
    );
    expect(result.valid).toBe(false);
    const found = result.problems.map((p) => `${p.path} ${p.code}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'steps[0].approval.extra unknown-option',
        'steps[0].approval.prompt required',
        'steps[0].approval.expiresInMs range',
        'steps[0].approval.onExpire enum',
        'steps[1].approval.default required',
        'steps[2].wait required',
        'steps[3].wait.until type',
        'steps[4].wait.durationMs range',
        'steps[5].approval conflict',
        'steps[6].target required',
        'steps[7].approval.prompt unknown-step',
      ]),
    );
    expect(result.problems.find((p) => p.path === 'steps[3].wait.until')?.message).toContain('next tuesday-ish');
  });
});

describe('wait times a date cannot hold', () => {
  it('refuses a duration past 100 years and an until past the last date, naming the value', () => {
    const result = validatePlan(
      {
        steps: [
          { id: 'far', wait: { durationMs: 1e20 } },
          { id: 'past-dates', wait: { until: 1e20 } },
          { id: 'century', wait: { durationMs: MAX_WAIT_MS } },
          { id: 'last-date', wait: { until: 8.64e15 } },
        ],
      },
      registry,
    );
    expect(result.problems.map((p) => `${p.path} ${p.code}`)).toEqual([
      'steps[0].wait.durationMs range',
      'steps[1].wait.until type',
    ]);
    expect(result.problems[0]?.message).toBe(
      'durationMs must be a number from 0 to 3155760000000 (100 years), got 100000000000000000000',
    );
    expect(result.problems[1]?.message).toContain('100000000000000000000');
  });
});
