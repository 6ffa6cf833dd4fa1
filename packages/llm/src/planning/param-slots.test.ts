import { describe, expect, it } from 'vitest';
import {
  exampleShape,
  extractValues as extract,
  literalWordsIn,
  maskAction,
  maskExample,
  placeholdersOf,
  slotWord,
  valueCandidates,
  wordsOf,
} from './param-slots.js';

const extractValues = (example: string, action: string) => extract(exampleShape(example), action);

describe('param slots', () => {
  it('finds placeholders and masks them with slot words at least three letters apart', () => {
    expect(placeholdersOf('Convert {amount} {from} to {to}')).toEqual(['amount', 'from', 'to']);
    expect(slotWord(0)).toBe('pslotaaa');
    expect(slotWord(1)).toBe('pslotbbb');
    const slots = new Map([
      ['city', slotWord(0)],
      ['day', slotWord(1)],
    ]);
    expect(maskExample('weather in {city} on {day}', slots)).toBe('weather in pslotaaa on pslotbbb');
  });

  it('masks whole words only, in any case, the longest value first', () => {
    const slots = new Map([
      ['a', 'pslotaaa'],
      ['b', 'pslotbbb'],
    ]);
    const values = new Map([
      ['a', 'York'],
      ['b', 'New York'],
    ]);
    expect(maskAction('flights from new york to York', values, slots)).toBe('flights from pslotbbb to pslotaaa');
    expect(maskAction('order 12 and 123', new Map([['a', '12']]), slots)).toBe('order pslotaaa and 123');
  });

  it('reads values in the example’s places, any case and spacing, and not a clause', () => {
    expect(extractValues('Convert {amount} {from} to {to}', 'convert  100 USD to EUR.')).toEqual(
      new Map([
        ['amount', '100'],
        ['from', 'USD'],
        ['to', 'EUR'],
      ]),
    );
    expect(extractValues('Translate {text} into {language}', 'Translate "good morning, friends" into French')).toEqual(
      new Map([
        ['text', 'good morning, friends'],
        ['language', 'French'],
      ]),
    );
    expect(
      extractValues("What's the weather in {city}?", "What's the weather in Lisbon and the news?"),
    ).toBeUndefined();
    expect(extractValues('weather in {city}', 'forecast in Lisbon')).toBeUndefined();
    expect(extractValues('from {a} to {a}', 'from Lisbon to Porto')).toBeUndefined();
  });

  it('offers numbers, codes, addresses, quoted text and names as candidate values', () => {
    expect(valueCandidates('Ship SKU-42 to "Ana Lima" at New York, see https://x.test/a?b=1. Total 3.5')).toEqual(
      expect.arrayContaining(['SKU-42', 'Ana Lima', 'New York', 'New', 'York', 'https://x.test/a?b=1', '3.5']),
    );
  });

  it('tells whether an action has every literal word of an example', () => {
    const convert = exampleShape('Convert {amount} {from} to {to}');
    expect(literalWordsIn(convert, wordsOf('Please convert 100 USD to EUR'))).toBe(true);
    expect(literalWordsIn(convert, wordsOf('Please change 100 USD to EUR'))).toBe(false);
  });
});

describe('values read from the action', () => {
  it('leave out a trailing please, and refuse a name trailing off in other words or a placeholder', () => {
    expect(extractValues("What's the weather in {city}?", "What's the weather in Paris please?")).toEqual(
      new Map([['city', 'Paris']]),
    );
    expect(extractValues("What's the news in {city}?", "What's the news in Paris today?")).toBeUndefined();
    expect(extractValues("What's the weather in {city}?", "What's the weather in {city}?")).toBeUndefined();
    expect(extractValues("What's the weather in {city}?", "What's the weather in Rio de Janeiro?")).toEqual(
      new Map([['city', 'Rio de Janeiro']]),
    );
    expect(extractValues('Translate {text} into {language}', 'Translate good morning into French')).toEqual(
      new Map([
        ['text', 'good morning'],
        ['language', 'French'],
      ]),
    );
  });

  it('refuse a value that carries a qualifier or a negation the example does not say, not a name with a particle', () => {
    const weather = 'Weather for {city}';
    expect(extractValues(weather, 'Weather for Paris in Fahrenheit')).toBeUndefined();
    expect(extractValues('Morning briefing for {city}', 'Morning briefing for Lisbon in French')).toBeUndefined();
    expect(extractValues(weather, 'Weather for no city')).toBeUndefined();
    expect(extractValues(weather, 'Weather for Stoke on Trent')).toEqual(new Map([['city', 'Stoke on Trent']]));
    expect(extractValues(weather, 'Weather for Isle of Man')).toEqual(new Map([['city', 'Isle of Man']]));
    // Quoted, a value is taken as it is.
    expect(extractValues(weather, 'Weather for "Paris in Fahrenheit"')).toEqual(
      new Map([['city', 'Paris in Fahrenheit']]),
    );
  });
});
