import { describe, expect, it } from 'vitest';
import { compareDirection } from './direction.js';
import { createLexicon } from './lexicon.js';

const lexicon = createLexicon();

describe('compareDirection', () => {
  it.each([
    ['Is Python faster than Java?', 'Is Java faster than Python?', 'than'],
    ['Is it colder in Chicago than in New York?', 'Is it colder in New York than in Chicago?', 'than'],
    ['Is the iPhone 15 better than the iPhone 14?', 'Is the iPhone 14 better than the iPhone 15?', 'than'],
    ['Flights from Madrid to Lisbon', 'Flights from Lisbon to Madrid', 'from'],
    ['Convert 10 miles to kilometers', 'Convert 10 kilometers to miles', 'to'],
    ['What is 30 degrees Celsius in Fahrenheit?', 'What is 30 degrees Fahrenheit in Celsius?', 'to'],
  ])('finds the reversed direction in "%s" vs "%s"', (a, b, construction) => {
    expect(compareDirection(a, b, lexicon)).toMatchObject({ construction });
  });

  it('says which objects differ', () => {
    expect(compareDirection('Is tea healthier than coffee?', 'Is coffee healthier than tea?', lexicon)).toEqual({
      construction: 'than',
      query: 'coffee',
      candidate: 'tea',
    });
  });

  it.each([
    ['Is Python faster than Java?', 'Is Python quicker than Java?'],
    ['Flights to Lisbon from Madrid', 'Flights from Madrid to Lisbon'],
    ['How many kilometers is 10 miles?', 'Convert 10 miles to kilometers'],
    ['How do I stop my screen from turning off?', 'How do I keep my screen from going to sleep?'],
  ])('lets "%s" and "%s" agree', (a, b) => {
    expect(compareDirection(a, b, lexicon)).toBeUndefined();
  });
});
