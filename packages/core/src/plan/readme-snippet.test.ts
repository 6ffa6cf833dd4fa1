/** The README's "In a few lines" plan must validate against the targets the snippet registers. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../registry/registry.js';
import { validatePlan } from './validate-plan.js';

const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
const snippet = readme.split('## In a few lines')[1]?.split('```')[1] ?? '';

describe('README snippet', () => {
  it('registers every target its plan names, fallbacks included, so the plan validates', () => {
    const names = [...snippet.matchAll(/registry\.register\(\{\s*name: '([^']+)'/g)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThan(0);
    const registry = createRegistry();
    for (const name of names) registry.register({ name, description: `${name} from the README`, handler: () => ({}) });
    const literal = /engine\.run\(\s*(\{[\s\S]*?\n {2}\}),\n/.exec(snippet)?.[1];
    expect(literal).toBeDefined();
    const plan = new Function(`return (${literal});`)();
    expect(validatePlan(plan, registry).problems).toEqual([]);
  });
});
