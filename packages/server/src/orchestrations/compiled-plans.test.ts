import { describe, expect, it } from 'vitest';
import { type CompiledPlan, CompiledPlans } from './compiled-plans.js';

const plan = (name: string) => ({ compiled: { name }, parallelGroups: [[name]] }) as unknown as CompiledPlan;

describe('CompiledPlans', () => {
  it('keeps the latest plans up to its capacity, a plan read counting as latest', () => {
    const plans = new CompiledPlans(2);
    plans.set('a', plan('a'));
    plans.set('b', plan('b'));
    expect(plans.get('a')).toEqual(plan('a'));
    plans.set('c', plan('c'));
    expect(plans.get('b')).toBeUndefined();
    expect(plans.get('a')).toEqual(plan('a'));
    expect(plans.get('c')).toEqual(plan('c'));
  });

  it('does not keep a plan whose key is over 64 KiB', () => {
    const plans = new CompiledPlans();
    const large = 'x'.repeat(64 * 1024 + 1);
    plans.set(large, plan('large'));
    expect(plans.get(large)).toBeUndefined();
  });
});
