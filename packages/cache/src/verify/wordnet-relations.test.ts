import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWordNetRelations, lemmasOf, type WordNetRelations } from './wordnet-relations.js';
import { loadSynonymTable, type SynonymTable } from './wordnet-table.js';

/** A WordNet in miniature: coffee is a shade of brown only in a rare, untagged sense, as in WordNet 3.1. */
const INDEX_NOUN = [
  '  1 This is a license header line that the parser skips',
  'coffee n 2 0 2 1 00000001 00000003',
  'chocolate n 2 0 2 1 00000002 00000003',
  'java n 1 0 1 0 00000001',
  'berlin n 1 0 1 1 00000004',
  'purchase n 1 0 1 1 00000005',
  'buy n 1 0 1 0 00000005',
];
const DATA_NOUN = [
  '00000001 13 n 02 coffee 0 java 0 000 | a beverage',
  '00000002 13 n 01 chocolate 0 000 | a beverage',
  '00000003 07 n 02 chocolate 0 coffee 0 000 | a shade of brown',
  '00000004 15 n 01 Berlin 0 000 | a city',
  '00000005 04 n 02 purchase 0 buy 0 000 | an acquisition',
];

let relations: WordNetRelations;
let table: SynonymTable;
beforeAll(async () => {
  const dictionary = await mkdtemp(join(tmpdir(), 'baton-wordnet-'));
  await writeFile(join(dictionary, 'index.noun'), `${INDEX_NOUN.join('\n')}\n`);
  await writeFile(join(dictionary, 'data.noun'), `${DATA_NOUN.join('\n')}\n`);
  for (const part of ['verb', 'adj', 'adv']) {
    await writeFile(join(dictionary, `index.${part}`), '');
    await writeFile(join(dictionary, `data.${part}`), '');
  }
  table = (await loadSynonymTable(dictionary))!;
  relations = createWordNetRelations(table);
});

describe('WordNet synonyms', () => {
  it('joins words that share a common sense', () => {
    expect(relations.areSynonyms('coffee', 'java')).toBe(true);
    expect(relations.areSynonyms('buy', 'purchase')).toBe(true);
  });

  it('ignores a rare, untagged sense', () => {
    expect(relations.areSynonyms('coffee', 'chocolate')).toBe(false);
  });

  it('undoes inflections before looking words up', () => {
    expect(lemmasOf('purchased', table)).toEqual(['purchase']);
    expect(relations.areSynonyms('purchases', 'buying')).toBe(true);
    expect(lemmasOf('unknown', table)).toEqual([]);
  });

  it('knows a lowercase proper noun', () => {
    expect(relations.isProperNoun('berlin')).toBe(true);
    expect(relations.isProperNoun('coffee')).toBe(false);
    expect(relations.isProperNoun('unknown')).toBe(false);
  });
});
