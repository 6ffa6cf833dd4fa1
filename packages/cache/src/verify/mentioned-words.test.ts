import { describe, expect, it } from 'vitest';
import { mentionedWords } from './mentioned-words.js';

describe('mentionedWords', () => {
  it.each([
    ["What's the plural of mouse?", ['mouse']],
    ['How do you spell the word Colour?', ['colour']],
    ['What does NYC stand for?', ['nyc']],
    ['How many letters are there in twelve?', ['twelve']],
    ["Is can't a contraction?", ["can't"]],
    ['Is definately spelled right?', ['definately']],
    ['What does carpe diem mean?', ['carpe diem']],
    ['Translate good morning into French', ['good morning']],
    ['How do you say thank you in Japanese?', ['thank you']],
    ['What rhymes with orange?', ['orange']],
  ])('%s asks about %j', (text, words) => {
    expect(mentionedWords(text)).toEqual(words);
  });

  it('finds none where words are used, not asked about', () => {
    for (const text of ['How do I reset my router?', 'What is the weather in Paris?', 'Spell it out for me']) {
      expect(mentionedWords(text)).toEqual([]);
    }
  });
});
