import { ValidationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { isEventType, matchesEvent, validateEventFilter } from './event-filter.js';

describe('matchesEvent', () => {
  it.each([
    [null, 'orchestration.completed', true],
    [['*'], 'anything.at.all', true],
    [['orchestration.completed'], 'orchestration.completed', true],
    [['orchestration.completed'], 'orchestration.failed', false],
    [['orchestration.*'], 'orchestration.failed', true],
    [['orchestration.*'], 'orchestration.step.failed', true],
    [['orchestration.*'], 'orchestration', false],
    [['orchestration.*'], 'orchestrationx.failed', false],
    [['service.registered', 'orchestration.*'], 'service.registered', true],
  ])('%j matches %s: %s', (events, type, expected) => {
    expect(matchesEvent(events, type)).toBe(expected);
  });
});

describe('validateEventFilter', () => {
  it('keeps null for every event and deduplicates a list', () => {
    expect(validateEventFilter(undefined)).toBeNull();
    expect(validateEventFilter(null)).toBeNull();
    expect(validateEventFilter(['a.b', 'a.*', 'a.b'])).toEqual(['a.b', 'a.*']);
  });

  it('names every bad entry', () => {
    const error = (() => {
      try {
        validateEventFilter(['ok.event', 'bad event', '*.x', 7]);
      } catch (caught) {
        return caught as ValidationError;
      }
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error!.problems.map((problem) => problem.path)).toEqual(['events[1]', 'events[2]', 'events[3]']);
  });

  it.each([[[]], ['a.b'], [Array.from({ length: 51 }, (_, index) => `e${index}`)]])('refuses %j', (events) => {
    expect(() => validateEventFilter(events)).toThrow(ValidationError);
  });
});

describe('isEventType', () => {
  it('accepts dotted names and refuses wildcards and spaces', () => {
    expect(isEventType('orchestration.completed')).toBe(true);
    expect(isEventType('orchestration.*')).toBe(false);
    expect(isEventType('a b')).toBe(false);
    expect(isEventType('x'.repeat(101))).toBe(false);
  });
});
