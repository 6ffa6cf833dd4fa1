import { describe, expect, it } from 'vitest';
import { compoundWords } from './request-compounds.js';
import { conceptWords as conceptWordsOf } from './request-concepts.js';
import { searchTerm, searchTerms, splitWords } from './search-terms.js';

const conceptWords = (text: string) => conceptWordsOf(searchTerms(text), splitWords(text));

describe('conceptWords', () => {
  it('adds the words of the kind of tool an everyday word asks for', () => {
    expect(conceptWords('Will I need an umbrella in Porto this weekend?')).toEqual([
      'weather',
      'forecast',
      'temperature',
    ]);
    expect(conceptWords('Ring the customer and jot down what she says')).toEqual(['call', 'phone', 'note']);
    // Inflections are signals too: they are stemmed as the index is.
    expect(conceptWords('is it snowing in Oslo')).toEqual(['weather', 'forecast', 'temperature']);
  });

  it('adds the verbs tools are named with for the everyday verbs of an action', () => {
    expect(conceptWords('locate every .psd file under ~/Design')).toEqual(['search', 'find']);
    expect(conceptWords('shut down gpu-train-01 over the weekend')).toEqual(['stop']);
    expect(conceptWords('wipe the old sessions')).toEqual(['delete', 'remove']);
    expect(conceptWords('how is bitcoin doing')).toEqual(['crypto', 'cryptocurrency', 'price']);
  });

  it('reads the function words that say what to do, which the index leaves out', () => {
    expect(conceptWords('show me what the contract says')).toEqual(['read']);
    expect(conceptWordsOf(searchTerms('show me what the contract says'))).toEqual([]);
  });

  it('reads a signal written as two words once they are joined', () => {
    const text = 'where did I write down the gate code';
    const own = searchTerms(text);
    const joined = compoundWords(splitWords(text), own).map((word) => searchTerm(word) ?? word);
    expect(conceptWordsOf(own)).toEqual([]);
    expect(conceptWordsOf(new Set([...own, ...joined]))).toEqual(['note']);
  });

  it('reads a phrasal verb, once joined, as the verb tools are named with', () => {
    const joinedConcepts = (text: string) => {
      const own = searchTerms(text);
      const joined = compoundWords(splitWords(text), own).map((word) => searchTerm(word) ?? word);
      return conceptWordsOf(new Set([...own, ...joined]));
    };
    expect(joinedConcepts('spin up a fresh VM in eu-west')).toEqual(['start', 'create', 'launch']);
    expect(joinedConcepts('tear down the staging stack')).toEqual(['delete', 'remove']);
    expect(joinedConcepts('spin the wheel')).toEqual([]);
  });

  it('adds no word the request already has', () => {
    expect(conceptWords('rain forecast for Lisbon')).toEqual(['weather', 'temperature']);
  });

  it('adds nothing for words whose stem other kinds of tool share', () => {
    expect(conceptWords('share on linkedin that I started a new role')).toEqual([]);
    expect(conceptWords('book a table for two at 8pm')).toEqual([]);
    expect(conceptWords('upload the deck to my drive')).toEqual([]);
    expect(conceptWords('track my order')).toEqual([]);
    expect(conceptWords('how many mugs are left in stock')).toEqual([]);
    expect(conceptWords('open a pull request from deps-bump')).toEqual([]);
    expect(conceptWords('what is the mean of these numbers')).toEqual([]);
    expect(conceptWords('convert 350 fahrenheit to celsius')).toEqual([]);
    expect(conceptWords('')).toEqual([]);
  });
});
