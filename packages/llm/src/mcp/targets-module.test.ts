import { createRegistry, ValidationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { registryFromModule } from './targets-module.js';

const target = (name: string) => ({ name, description: `does ${name}`, handler: () => name });

describe('registryFromModule', () => {
  it('takes the registry a module exports', () => {
    const registry = createRegistry();
    expect(registryFromModule({ default: registry, other: 1 }, 'm.mjs')).toBe(registry);
  });

  it('registers every definition exported, alone or in arrays, once each', () => {
    const echo = target('echo');
    const registry = registryFromModule({ echo, all: [echo, target('add')], notATarget: { name: 'x' } }, 'm.mjs');
    expect(registry.list().map((t) => t.name)).toEqual(['echo', 'add']);
  });

  it('refuses a module with nothing to serve, or with two registries, naming its exports', () => {
    expect(() => registryFromModule({ helper: () => 1 }, 'm.mjs')).toThrow(
      'm.mjs exports no registry and no target definitions: m.mjs: export a registry or objects with a name and a handler (it exports: helper)',
    );
    const two = () => registryFromModule({ a: createRegistry(), b: createRegistry() }, 'm.mjs');
    expect(two).toThrow(ValidationError);
    expect(two).toThrow('m.mjs exports 2 registries (a, b)');
  });

  it('lets the registry refuse a bad definition, naming it', () => {
    expect(() =>
      registryFromModule({ bad: { name: 'Bad Name', description: 'x', handler: () => 1 } }, 'm.mjs'),
    ).toThrow(/invalid registration for "Bad Name"/);
  });
});
