import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '../errors.js';
import { cosine } from './embedder.js';
import { createSifEmbedder } from './sif-embedder.js';
import { defaultWordVectorsPath, loadWordVectors } from './word-vectors.js';

const embedder = createSifEmbedder();
const similarity = async (a: string, b: string) => {
  const [x, y] = await embedder.embed([a, b]);
  return cosine(x!, y!);
};

describe('createSifEmbedder', () => {
  it('returns unit vectors of the declared dimension', async () => {
    const [vector] = await embedder.embed(['How do I reset my password?']);
    expect(vector).toHaveLength(embedder.dimension);
    expect(cosine(vector!, vector!)).toBeCloseTo(1, 5);
  });

  it('catches synonyms a lexical model cannot see', async () => {
    const synonym = await similarity('what is the price of the premium plan', 'what does the premium plan cost');
    const unrelated = await similarity('what is the price of the premium plan', 'how tall is the eiffel tower');
    expect(synonym).toBeGreaterThan(0.8);
    expect(synonym - unrelated).toBeGreaterThan(0.3);
    expect(await similarity('how do I fix my bike', 'how do I repair my bike')).toBeGreaterThan(0.85);
  });

  it('weights frequent words less than content words', async () => {
    await embedder.load();
    expect(embedder.weightOf('the')).toBeLessThan(0.05);
    expect(embedder.weightOf('refund')).toBeGreaterThan(0.9);
  });

  it('keeps texts that differ only by unknown words apart, with less weight than a known word (typos stay close)', async () => {
    const unknown = await similarity('deploy zqxwv to production', 'deploy plorbt to production');
    expect(unknown).toBeLessThan(0.999);
    expect(unknown).toBeGreaterThan(await similarity('deploy python to production', 'deploy java to production'));
    expect(await similarity('deploy zqxwv to production', 'deploy zqxwv to production')).toBeCloseTo(1, 5);
  });

  it('changes its id with its settings, so vectors from different settings never mix', () => {
    expect(createSifEmbedder({ smoothing: 0.01 }).id).not.toBe(embedder.id);
    expect(createSifEmbedder({ removePrincipalComponent: false }).id).not.toBe(embedder.id);
  });

  it('loads the vectors shipped in the package folder, not a file built at run time', async () => {
    const path = defaultWordVectorsPath();
    expect(path).toBe(fileURLToPath(new URL('../../data/word-vectors.bin', import.meta.url)));
    const vectors = await loadWordVectors(path);
    expect(vectors.count).toBe(100_000);
    expect(vectors.rows.get('the')).toBe(0);
  });

  it('fails clearly when a given vector file is missing', async () => {
    const missing = createSifEmbedder({ vectorsPath: '/nonexistent/vectors.bin' });
    await expect(missing.embed(['x'])).rejects.toSatisfy(
      (error) => ModelNotFoundError.isInstance(error) && error.path === '/nonexistent/vectors.bin',
    );
  });
});
