import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { createRegistry, type Registry } from './registry.js';
import type { Health } from './target.js';
import { parseTargetRef } from './target-ref.js';

const handler = async () => null;

function add(
  registry: Registry,
  name: string,
  extra: { version?: string; capabilities?: string[]; priority?: number; health?: Health } = {},
) {
  return registry.register({ name, description: `the ${name} target`, handler, ...extra });
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function notFound(action: () => unknown): NotFoundError {
  const error = thrown(action);
  if (!NotFoundError.isInstance(error)) throw error;
  return error;
}

describe('parseTargetRef', () => {
  it('reads "name", "name@range" and objects', () => {
    expect(parseTargetRef('summarize')).toEqual({ name: 'summarize' });
    expect(parseTargetRef('summarize@^1.2')).toEqual({ name: 'summarize', version: '^1.2' });
    expect(parseTargetRef({ capability: 'search', version: '2.x' })).toEqual({ capability: 'search', version: '2.x' });
  });
});

describe('lookup by name and version', () => {
  it('returns the highest version for a bare name', () => {
    const registry = createRegistry();
    for (const version of ['1.2.0', '2.0.0', '1.10.0']) add(registry, 'writer', { version });
    expect(registry.resolve('writer').version).toBe('2.0.0');
  });

  it('returns the highest version within a semver range', () => {
    const registry = createRegistry();
    for (const version of ['1.2.0', '1.9.3', '2.0.0', '1.10.0']) add(registry, 'writer', { version });
    expect(registry.resolve('writer@^1.2').version).toBe('1.10.0');
    expect(registry.resolve('writer@~1.9').version).toBe('1.9.3');
    expect(registry.resolve({ name: 'writer', version: '>=2' }).version).toBe('2.0.0');
    expect(registry.candidates('writer@^1').map((t) => t.version)).toEqual(['1.10.0', '1.9.3', '1.2.0']);
  });

  it('prefers a healthy older version over a degraded newer one, and skips down ones', () => {
    const registry = createRegistry();
    add(registry, 'writer', { version: '1.0.0' });
    add(registry, 'writer', { version: '2.0.0', health: 'degraded' });
    add(registry, 'writer', { version: '3.0.0', health: 'down' });
    expect(registry.resolve('writer').version).toBe('1.0.0');
    expect(registry.candidates('writer').map((t) => t.version)).toEqual(['1.0.0', '2.0.0']);
  });

  it('lists the registered versions when none satisfies the range', () => {
    const registry = createRegistry();
    add(registry, 'writer', { version: '1.0.0' });
    add(registry, 'writer', { version: '1.5.0' });
    const error = notFound(() => registry.resolve('writer@^2'));
    expect(error.message).toBe('no version of "writer" satisfies ^2 (registered: 1.0.0, 1.5.0)');
    expect(error.query).toBe('writer (version ^2)');
  });

  it('lists the registered names when the name is unknown', () => {
    const registry = createRegistry();
    add(registry, 'zeta');
    add(registry, 'alpha');
    const error = notFound(() => registry.resolve('alpah'));
    expect(error.message).toBe('no target found for alpah (registered: alpha, zeta)');
    expect(error.available).toEqual(['alpha', 'zeta']);
    expect(notFound(() => createRegistry().resolve('x')).message).toBe('no target found for x (the registry is empty)');
  });

  it('refuses a malformed reference with a ValidationError instead of matching everything', () => {
    const registry = createRegistry();
    add(registry, 'writer');
    for (const ref of [{}, '', { name: '' }, null, 5, 'writer@not a range']) {
      const error = thrown(() => registry.resolve(ref as never));
      expect(ValidationError.isInstance(error), JSON.stringify(ref)).toBe(true);
    }
    expect((thrown(() => registry.resolve('writer@nope')) as ValidationError).problems[0]?.code).toBe('semver-range');
  });
});

describe('lookup by capability', () => {
  it('puts healthy before degraded, then higher priority first', () => {
    const registry = createRegistry();
    add(registry, 'slow', { capabilities: ['search'], priority: 10, health: 'degraded' });
    add(registry, 'low', { capabilities: ['search'], priority: 1 });
    add(registry, 'high', { capabilities: ['search'], priority: 5 });
    add(registry, 'other', { capabilities: ['write'], priority: 100 });
    expect(registry.candidates({ capability: 'search' }).map((t) => t.name)).toEqual(['high', 'low', 'slow']);
    expect(registry.resolve({ capability: 'search' }).name).toBe('high');
  });

  it('rotates round-robin among equally ranked candidates', () => {
    const registry = createRegistry();
    add(registry, 'a', { capabilities: ['search'] });
    add(registry, 'b', { capabilities: ['search'] });
    add(registry, 'c', { capabilities: ['search'] });
    add(registry, 'weak', { capabilities: ['search'], priority: -1 });
    const picks = Array.from({ length: 7 }, () => registry.resolve({ capability: 'search' }).name);
    expect(picks).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
    expect(registry.candidates({ capability: 'search' }).map((t) => t.name)).toEqual(['a', 'b', 'c', 'weak']);
  });

  it('keeps a separate rotation per query', () => {
    const registry = createRegistry();
    add(registry, 'a', { capabilities: ['search', 'index'] });
    add(registry, 'b', { capabilities: ['search', 'index'] });
    expect(registry.resolve({ capability: 'search' }).name).toBe('a');
    expect(registry.resolve({ capability: 'index' }).name).toBe('a');
    expect(registry.resolve({ capability: 'search' }).name).toBe('b');
  });

  it('never returns a down target, and says which candidates were down', () => {
    const registry = createRegistry();
    add(registry, 'a', { capabilities: ['search'], health: 'down' });
    add(registry, 'b', { capabilities: ['search'], health: 'down', version: '2.0.0' });
    add(registry, 'c', { capabilities: ['write'] });
    const error = notFound(() => registry.resolve({ capability: 'search' }));
    expect(error.message).toBe('no usable target for capability "search": every candidate is down (a@1.0.0, b@2.0.0)');
    expect(error.unavailable).toEqual([
      { name: 'a', version: '1.0.0', reason: 'down' },
      { name: 'b', version: '2.0.0', reason: 'down' },
    ]);
    expect(registry.candidates({ capability: 'search' })).toEqual([]);
  });

  it('says which capability is missing', () => {
    const registry = createRegistry();
    add(registry, 'a', { capabilities: ['write'] });
    const error = notFound(() => registry.resolve({ capability: 'search' }));
    expect(error.message).toBe('no target found for capability "search" (registered: a)');
    expect(error.query).toBe('capability "search"');
  });

  it('combines a capability with a version range', () => {
    const registry = createRegistry();
    add(registry, 'a', { capabilities: ['search'], version: '1.0.0' });
    add(registry, 'b', { capabilities: ['search'], version: '2.1.0' });
    expect(registry.resolve({ capability: 'search', version: '^2' }).name).toBe('b');
  });
});

describe('health, unregister, has and describe', () => {
  it('setHealth changes routing for one version or all', () => {
    const registry = createRegistry();
    add(registry, 'a', { capabilities: ['search'], priority: 1 });
    add(registry, 'b', { capabilities: ['search'] });
    registry.setHealth('a', 'down');
    expect(registry.resolve({ capability: 'search' }).name).toBe('b');
    registry.setHealth('a', 'healthy', '1.0.0');
    expect(registry.resolve({ capability: 'search' }).name).toBe('a');
    expect(registry.list().find((t) => t.name === 'a')?.health).toBe('healthy');
  });

  it('says why a target is down when no candidate is left, until it is healthy again', () => {
    const registry = createRegistry();
    add(registry, 'a');
    registry.setHealth('a', 'down', undefined, 'its server is reconnecting');
    const error = notFound(() => registry.resolve('a'));
    expect(error.message).toBe('no usable target for a: every candidate is down (a@1.0.0: its server is reconnecting)');
    registry.setHealth('a', 'healthy');
    expect(registry.resolve('a').healthReason).toBeUndefined();
    registry.setHealth('a', 'down');
    expect(notFound(() => registry.resolve('a')).message).toMatch(/every candidate is down \(a@1\.0\.0\)$/);
  });

  it('setHealth refuses unknown health values, including Object.prototype keys', () => {
    const registry = createRegistry();
    add(registry, 'a');
    for (const health of ['sick', 'toString', 'constructor', 7]) {
      expect(ValidationError.isInstance(thrown(() => registry.setHealth('a', health as Health)))).toBe(true);
    }
    expect(registry.resolve('a').health).toBe('healthy');
  });

  it('setHealth on an unknown target or version is a NotFoundError', () => {
    const registry = createRegistry();
    add(registry, 'a');
    expect(notFound(() => registry.setHealth('b', 'down')).query).toBe('b');
    expect(notFound(() => registry.setHealth('a', 'down', '9.9.9')).message).toContain('9.9.9');
  });

  it('unregister removes one version or all and reports the count', () => {
    const registry = createRegistry();
    add(registry, 'a', { version: '1.0.0' });
    add(registry, 'a', { version: '2.0.0' });
    add(registry, 'b');
    expect(registry.unregister('a', '2.0.0')).toBe(1);
    expect(registry.resolve('a').version).toBe('1.0.0');
    expect(registry.unregister('a', '5.0.0')).toBe(0);
    expect(registry.unregister('a')).toBe(1);
    expect(registry.has('a')).toBe(false);
    expect(registry.unregister('missing')).toBe(0);
    expect(registry.list().map((t) => t.id)).toEqual(['b@1.0.0']);
  });

  it('has and describe ignore health; describe prefers priority then version', () => {
    const registry = createRegistry();
    add(registry, 'a', { capabilities: ['search'], health: 'down', priority: 3 });
    add(registry, 'b', { capabilities: ['search'], version: '2.0.0' });
    expect(registry.has({ capability: 'search' })).toBe(true);
    expect(registry.has({ capability: 'nothing' })).toBe(false);
    expect(registry.describe({ capability: 'search' })?.name).toBe('a');
    expect(registry.describe('b@^3')).toBeUndefined();
  });

  it('a registered target is returned as registered, with its schemas compiled', () => {
    const registry = createRegistry();
    const target = registry.register({
      name: 'echo',
      description: 'Echoes',
      input: { type: 'object', required: ['text'] },
      handler,
    });
    expect(registry.resolve('echo')).toBe(target);
    expect(target.input?.validate({}).map((p) => p.path)).toEqual(['text']);
  });
});
