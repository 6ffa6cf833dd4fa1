import { describe, expect, it } from 'vitest';
import { dollars } from './agent-printer.js';

describe('dollars', () => {
  it('prints four decimals, and two significant digits for less than a hundredth of a cent', () => {
    expect(dollars(0)).toBe('$0.0000');
    expect(dollars(0.0123)).toBe('$0.0123');
    expect(dollars(0.0000042)).toBe('$0.0000042');
    expect(dollars(4.2e-7)).toBe('$0.00000042');
  });
});
