import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/validation-error.js';
import { createRegistry } from './registry.js';
import type { TargetDefinition } from './target.js';
import { isValidTargetName, validateRegistration } from './validate-registration.js';

const handler = async () => 'ok';
const valid = { name: 'summarize', description: 'Summarizes text', handler };

/** The problems a definition has, as `path code` strings. */
function problemsOf(overrides: Record<string, unknown>): string[] {
  const { problems } = validateRegistration({ ...valid, ...overrides } as TargetDefinition);
  return problems.map((p) => `${p.path} ${p.code}`);
}

function refusal(definition: unknown): ValidationError {
  try {
    createRegistry().register(definition as TargetDefinition);
  } catch (error) {
    if (ValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the registration to be refused');
}

describe('validateRegistration', () => {
  it('accepts a minimal definition and applies defaults', () => {
    const { target, problems } = validateRegistration(valid);
    expect(problems).toEqual([]);
    expect(target).toMatchObject({
      name: 'summarize',
      kind: 'tool',
      version: '1.0.0',
      priority: 0,
      health: 'healthy',
      capabilities: [],
      effects: 'external',
      metadata: {},
      id: 'summarize@1.0.0',
      input: undefined,
      output: undefined,
    });
  });

  it('takes effects "none" or "external", and refuses another value or an undo for a target without effects', () => {
    expect(validateRegistration({ ...valid, effects: 'none' }).target?.effects).toBe('none');
    expect(problemsOf({ effects: 'pure' })).toEqual(['effects enum']);
    expect(refusal({ ...valid, effects: 'pure' }).message).toContain('"pure"');
    expect(problemsOf({ effects: 'none', compensate: () => {} })).toEqual(['compensate conflict']);
    expect(problemsOf({ effects: 'external', compensate: () => {} })).toEqual([]);
  });

  it.each([
    ['a', true],
    ['a1', true],
    ['web-search.v2', true],
    ['0', true],
    ['x'.repeat(253), true],
    ['x'.repeat(254), false],
    ['Upper', false],
    ['-lead', false],
    ['trail-', false],
    ['.dot', false],
    ['dot.', false],
    ['under_score', false],
    ['has space', false],
    ['', false],
  ])('name %j valid: %s', (name, ok) => {
    expect(isValidTargetName(name)).toBe(ok);
    expect(problemsOf({ name }).length === 0).toBe(ok);
  });

  it('names the rule a bad name breaks', () => {
    expect(problemsOf({ name: 'Bad_Name' })).toEqual(['name pattern']);
    expect(problemsOf({ name: 'x'.repeat(254) })).toEqual(['name max-length']);
    expect(problemsOf({ name: undefined })).toEqual(['name required']);
    expect(problemsOf({ name: 42 })).toEqual(['name required']);
    const { problems } = validateRegistration({ ...valid, name: 'x'.repeat(254) });
    expect(problems[0]?.message).toContain('at most 253 characters, got 254');
  });

  it('checks description presence and length', () => {
    expect(problemsOf({ description: '' })).toEqual(['description required']);
    expect(problemsOf({ description: '   ' })).toEqual(['description required']);
    expect(problemsOf({ description: 'd'.repeat(500) })).toEqual([]);
    expect(problemsOf({ description: 'd'.repeat(501) })).toEqual(['description max-length']);
  });

  it('checks kind, version, priority and health', () => {
    expect(problemsOf({ kind: 'agent' })).toEqual([]);
    expect(problemsOf({ kind: 'service' })).toEqual([]);
    expect(problemsOf({ kind: 'robot' })).toEqual(['kind enum']);
    expect(problemsOf({ version: '2.1.0-beta.1' })).toEqual([]);
    expect(problemsOf({ version: '1.2' })).toEqual(['version semver']);
    expect(problemsOf({ version: 3 })).toEqual(['version semver']);
    expect(problemsOf({ priority: -5.5 })).toEqual([]);
    expect(problemsOf({ priority: Number.NaN })).toEqual(['priority type']);
    expect(problemsOf({ priority: Number.POSITIVE_INFINITY })).toEqual(['priority type']);
    expect(problemsOf({ priority: '1' })).toEqual(['priority type']);
    expect(problemsOf({ health: 'degraded' })).toEqual([]);
    expect(problemsOf({ health: 'sick' })).toEqual(['health enum']);
  });

  it('normalizes a version such as v1.2.3 so that name@version stays canonical', () => {
    const { target } = validateRegistration({ ...valid, version: 'v1.2.3' });
    expect(target?.version).toBe('1.2.3');
    expect(target?.id).toBe('summarize@1.2.3');
  });

  it('checks capabilities, handler and estimate', () => {
    expect(problemsOf({ capabilities: ['search', 'web'] })).toEqual([]);
    expect(problemsOf({ capabilities: 'search' })).toEqual(['capabilities type']);
    expect(problemsOf({ capabilities: ['ok', '', 7] })).toEqual(['capabilities[1] type', 'capabilities[2] type']);
    expect(problemsOf({ handler: undefined })).toEqual(['handler required']);
    expect(problemsOf({ handler: 'fn' })).toEqual(['handler required']);
    expect(problemsOf({ estimate: 5 })).toEqual(['estimate type']);
  });

  it('refuses an invalid JSON Schema and compiles a valid one', () => {
    expect(problemsOf({ input: { type: 'not-a-type' } })).toEqual(['input invalid-schema']);
    expect(problemsOf({ output: { type: 'object', required: 'id' } })).toEqual(['output invalid-schema']);
    const { target } = validateRegistration({
      ...valid,
      input: { type: 'object' },
      output: z.object({ a: z.string() }),
    });
    expect(target?.input?.validate('text')).toHaveLength(1);
    expect(target?.output?.validate({ a: 'x' })).toEqual([]);
  });

  it('reports every problem at once', () => {
    const codes = problemsOf({
      name: 'Bad Name',
      description: '',
      kind: 'robot',
      version: 'one',
      priority: 'high',
      health: 'fine',
      capabilities: [''],
      handler: null,
      input: { type: 5 },
    });
    expect(codes).toEqual([
      'name pattern',
      'description required',
      'kind enum',
      'version semver',
      'priority type',
      'health enum',
      'capabilities[0] type',
      'handler required',
      'input invalid-schema',
    ]);
  });

  it('refuses a definition that is not an object', () => {
    expect(validateRegistration(null as unknown as TargetDefinition).problems).toEqual([
      { path: '', code: 'type', message: 'a target definition must be an object, got null' },
    ]);
  });
});

describe('register refusals', () => {
  it('throws a ValidationError that names each field and rule', () => {
    const error = refusal({ ...valid, name: 'Nope', version: 'x' });
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.problems.map((p) => `${p.path} ${p.code}`)).toEqual(['name pattern', 'version semver']);
    expect(error.message).toContain('invalid registration for "Nope"');
    expect(error.message).toContain('name: name "Nope" must contain only lowercase letters');
  });

  it('throws a ValidationError, not a TypeError, for null', () => {
    expect(refusal(null).problems[0]?.code).toBe('type');
  });

  it('refuses a duplicate name@version unless replace is set', () => {
    const registry = createRegistry();
    registry.register({ ...valid, version: '1.0.0', description: 'first' });
    const error = (() => {
      try {
        registry.register({ ...valid, version: '1.0.0', description: 'second' });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error?.problems).toEqual([
      { path: 'version', code: 'duplicate', message: 'summarize@1.0.0 is already registered; pass { replace: true }' },
    ]);
    registry.register({ ...valid, version: '1.0.1', description: 'other version' });
    registry.register({ ...valid, version: '1.0.0', description: 'second' }, { replace: true });
    expect(registry.list().map((t) => `${t.id} ${t.description}`)).toEqual([
      'summarize@1.0.0 second',
      'summarize@1.0.1 other version',
    ]);
  });
});

describe('validateRegistration of a batched target', () => {
  const batch = { handler: async (inputs: unknown[]) => inputs };

  it('takes batch.handler in place of handler, with the documented defaults', () => {
    const { target, problems } = validateRegistration({ name: 'embed', description: 'Embeds texts', batch });
    expect(problems).toEqual([]);
    expect(target?.batch).toEqual({ maxSize: 100, maxWaitMs: 10 });
    expect(typeof target?.handler).toBe('function');
    const custom = validateRegistration({
      name: 'embed',
      description: 'Embeds',
      batch: { ...batch, maxSize: 8, maxWaitMs: 0 },
    });
    expect(custom.target?.batch).toEqual({ maxSize: 8, maxWaitMs: 0 });
  });

  it('refuses both handlers, a missing batch handler and bad sizes, naming each value', () => {
    expect(problemsOf({ batch })).toEqual(['handler conflict']);
    expect(problemsOf({ handler: undefined, batch: { maxSize: 0, maxWaitMs: -1 } })).toEqual([
      'batch.handler required',
      'batch.maxSize range',
      'batch.maxWaitMs range',
    ]);
    expect(problemsOf({ handler: undefined, batch: 'yes' })).toEqual(['batch type']);
    const { problems } = validateRegistration({ ...valid, handler: undefined, batch: { ...batch, maxSize: 2.5 } });
    expect(problems[0]?.message).toBe('batch.maxSize must be a positive integer, got 2.5');
  });
});
