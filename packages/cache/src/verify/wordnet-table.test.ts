import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { defaultSynonymTablePath, loadSynonymTable } from './wordnet-table.js';

it('reads the WordNet table shipped in the package folder', async () => {
  expect(defaultSynonymTablePath()).toBe(
    fileURLToPath(new URL('../../data/wordnet-synonyms.json.gz', import.meta.url)),
  );
  const table = await loadSynonymTable();
  expect(table.synonymsOf('purchase')).toContain('buy');
  expect(table.synonymsOf('cat') ?? []).not.toContain('dog');
  expect(table.knows('glasses')).toBe(true);
  expect(table.knows('pasword')).toBe(false);
  expect(table.isProperNoun('berlin')).toBe(true);
});
