import { describe, expect, it } from 'vitest';
import { findRoleSwap, rolePositions } from './role-order.js';

const swap = (a: string, b: string) => findRoleSwap(rolePositions(a), rolePositions(b));

describe('findRoleSwap', () => {
  it('finds two words that trade sides around a shared word', () => {
    expect(swap('do sharks eat dolphins', 'do dolphins eat sharks')).toEqual({
      pivot: 'eat',
      movedAfter: 'sharks',
      movedBefore: 'dolphins',
    });
    expect(swap('Did Germany beat Argentina in the final?', 'Did Argentina beat Germany in the final?')).toBeDefined();
  });

  it.each([
    ['in Excel how do I freeze the top row', 'how do I freeze the top row in Excel'],
    ['chicken soup, how long to cook it', 'how long to cook chicken soup'],
    ['What is the difference between cats and dogs?', 'What is the difference between dogs and cats?'],
    ['weather in Paris', 'Paris weather'],
  ])('leaves a reordering that keeps the roles alone: "%s" / "%s"', (a, b) => {
    expect(swap(a, b)).toBeUndefined();
  });
});
