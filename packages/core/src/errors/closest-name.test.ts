import { describe, expect, it } from 'vitest';
import { closestName } from './closest-name.js';

describe('closestName', () => {
  it('finds the name a typo meant: a letter missing, added, changed or two swapped', () => {
    const known = ['maxParallel', 'timeoutMs', 'deadline', 'retainEvents'];
    expect(closestName('maxParalel', known)).toBe('maxParallel');
    expect(closestName('timeouttMs', known)).toBe('timeoutMs');
    expect(closestName('deadlime', known)).toBe('deadline');
    expect(closestName('retianEvents', known)).toBe('retainEvents');
    expect(closestName('TIMEOUTMS', known)).toBe('timeoutMs');
  });

  it('suggests nothing for a word unlike every known name', () => {
    expect(closestName('colour', ['maxParallel', 'timeoutMs'])).toBeUndefined();
    expect(closestName('x', ['y'])).toBe('y');
    expect(closestName('ab', ['cd'])).toBeUndefined();
    expect(closestName('anything', [])).toBeUndefined();
  });

  it('takes the nearest of several near names', () => {
    expect(closestName('comand', ['commands', 'command'])).toBe('command');
  });
});
