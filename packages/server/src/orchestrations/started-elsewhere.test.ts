import { createRegistry, validatePlan } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { type StepNeeds, startedElsewhere, stepNeeds } from './started-elsewhere.js';

const ended = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([id, status]) => [id, { status }]));

describe('stepNeeds', () => {
  it('names the steps each step waits for, by references and dependsOn, with its trigger', () => {
    const registry = createRegistry();
    registry.register({ name: 'echo', kind: 'tool', description: 'echo', handler: (input: unknown) => input });
    const validation = validatePlan(
      {
        steps: [
          { id: 'a', target: 'echo', input: {} },
          { id: 'b', target: 'echo', input: { x: { $ref: 'steps.a.output' } } },
          { id: 'c', target: 'echo', input: {}, dependsOn: ['a', 'b'], trigger: 'any' },
        ],
      },
      registry,
    );
    if (!validation.valid) throw new Error(JSON.stringify(validation.problems));
    expect(stepNeeds(validation.plan)).toEqual([
      { id: 'a', deps: [], trigger: 'all' },
      { id: 'b', deps: ['a'], trigger: 'all' },
      { id: 'c', deps: ['a', 'b'], trigger: 'any' },
    ]);
  });
});

describe('startedElsewhere', () => {
  const needs: StepNeeds[] = [
    { id: 'a', deps: [], trigger: 'all' },
    { id: 'b', deps: [], trigger: 'all' },
    { id: 'join', deps: ['a', 'b'], trigger: 'all' },
    { id: 'either', deps: ['a', 'b'], trigger: 'any' },
  ];

  it('has begun the steps without dependencies that have no entry yet', () => {
    expect(startedElsewhere(needs, ended({}))).toEqual(new Set(['a', 'b']));
    expect(startedElsewhere(needs, ended({ a: 'succeeded' }))).toEqual(new Set(['b']));
  });

  it('begins a step once every step it waits for has ended as its trigger asks', () => {
    expect(startedElsewhere(needs, ended({ a: 'succeeded', b: 'succeeded' }))).toEqual(new Set(['join', 'either']));
    // One dependency skipped: `all` will be skipped (an entry of its own comes), `any` runs.
    expect(startedElsewhere(needs, ended({ a: 'succeeded', b: 'skipped' }))).toEqual(new Set(['either']));
    expect(startedElsewhere(needs, ended({ a: 'skipped', b: 'skipped' }))).toEqual(new Set());
  });

  it('has not begun a step one of whose dependencies is still going', () => {
    expect(startedElsewhere(needs, ended({ a: 'succeeded' })).has('either')).toBe(false);
    expect(startedElsewhere(needs, ended({ a: 'succeeded', b: 'succeeded', join: 'succeeded' }))).toEqual(
      new Set(['either']),
    );
  });
});
