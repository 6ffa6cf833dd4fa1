import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import { buildEvidenceBundle, type Replicate } from './evidence-bundle.js';

function replicates(outputs: readonly unknown[]): Replicate[] {
  return outputs.map((output, index) => ({ index, output, durationMs: 10 }));
}

function failed(index: number): Replicate {
  return { index, error: { code: 'timeout', message: 'too slow' }, durationMs: 50 };
}

async function problemsOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ValidationError.isInstance(error)).toBe(true);
  return (error as ValidationError).problems;
}

describe('buildEvidenceBundle', () => {
  it('clusters, picks the consensus and computes the confidence', async () => {
    const bundle = await buildEvidenceBundle(replicates([100, 100, 98, 50, 51]), { epsilon: 0.1 });
    expect(bundle.clusters).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    // Summed distances in the largest cluster: 0 → 0 + 0.02, 1 → 0 + 0.02, 2 → 0.04; 0 and 1 tie, 0 is earlier.
    expect(bundle.consensus).toEqual({ index: 0, output: 100 });
    // 3 of 5 agree; mean intra-cluster distance (0 + 0.02 + 0.02) / 3.
    expect(bundle.confidence).toBeCloseTo((3 / 5) * (1 - 0.04 / 3), 12);
    expect(bundle.disagreements).toEqual([
      { index: 3, distance: 0.5 },
      { index: 4, distance: 0.49 },
    ]);
    expect(bundle.meta).toEqual({ k: 5, ran: 5, epsilon: 0.1, earlyStopped: false, distance: 'auto' });
  });

  it('fills a symmetric distance matrix with zeros on the diagonal', async () => {
    const bundle = await buildEvidenceBundle(replicates(['the cat sat', 'the cat ran', 'dogs bark']));
    expect(bundle.distances[0]).toEqual([0, expect.closeTo(1 / 3, 12), 1]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) expect(bundle.distances[i]![j]).toBe(bundle.distances[j]![i]);
    }
  });

  it('has confidence 1 when every replicate is identical', async () => {
    const bundle = await buildEvidenceBundle(replicates([{ a: 1 }, { a: 1 }, { a: 1 }]));
    expect(bundle.confidence).toBe(1);
    expect(bundle.disagreements).toEqual([]);
  });

  it('counts failed replicates as disagreeing and leaves them out of distances and clusters', async () => {
    const bundle = await buildEvidenceBundle([...replicates(['yes', 'yes']), failed(2)]);
    expect(bundle.confidence).toBeCloseTo(2 / 3, 12);
    expect(bundle.clusters).toEqual([[0, 1]]);
    expect(bundle.distances).toEqual([
      [0, 0, null],
      [0, 0, null],
      [null, null, null],
    ]);
    expect(bundle.disagreements).toEqual([{ index: 2, distance: 1, error: { code: 'timeout', message: 'too slow' } }]);
  });

  it('has no consensus and confidence 0 when every replicate failed', async () => {
    const bundle = await buildEvidenceBundle([failed(0), failed(1)]);
    expect(bundle.consensus).toBeUndefined();
    expect(bundle.confidence).toBe(0);
    expect(bundle.clusters).toEqual([]);
    expect(bundle.disagreements.map((d) => d.index)).toEqual([0, 1]);
  });

  it('prefers the tighter of two equally large clusters', async () => {
    const bundle = await buildEvidenceBundle(replicates([20, 21, 10, 10]), { epsilon: 0.1 });
    expect(bundle.clusters).toEqual([
      [2, 3],
      [0, 1],
    ]);
    expect(bundle.consensus).toEqual({ index: 2, output: 10 });
    expect(bundle.confidence).toBe(0.5);
  });

  it('lists the differing field paths of structured disagreements', async () => {
    const agreed = { verdict: 'feasible', cost: 100, risks: ['supply', 'staff'] };
    const outlier = { verdict: 'not feasible at all', cost: 300, risks: ['supply'], note: 'unsure' };
    const bundle = await buildEvidenceBundle(replicates([agreed, { ...agreed, cost: 101 }, outlier]));
    expect(bundle.consensus?.index).toBe(0);
    expect(bundle.disagreements).toHaveLength(1);
    expect(bundle.disagreements[0]).toMatchObject({ index: 2, fields: ['verdict', 'cost', 'risks[1]', 'note'] });
    expect(bundle.disagreements[0]!.distance).toBe(bundle.distances[0]![2]);
  });

  it('sorts replicates by index', async () => {
    const bundle = await buildEvidenceBundle([
      { index: 2, output: 'b', durationMs: 1 },
      { index: 0, output: 'a', durationMs: 1 },
    ]);
    expect(bundle.replicates.map((r) => r.index)).toEqual([0, 2]);
    expect(bundle.clusters).toEqual([[0], [2]]);
  });

  it('records k, earlyStopped and the distance used', async () => {
    const hamming = async (a: unknown, b: unknown) => (a === b ? 0 : 1);
    const bundle = await buildEvidenceBundle(replicates(['x', 'x']), { k: 5, earlyStopped: true, distance: hamming });
    expect(bundle.meta).toEqual({ k: 5, ran: 2, epsilon: 0.2, earlyStopped: true, distance: 'hamming' });
  });

  it('compares text by embeddings with a single embed call', async () => {
    const embed = vi.fn(async (texts: string[]) => texts.map((text) => (text.includes('car') ? [1, 0] : [0.99, 0.1])));
    const outputs = ['a car', 'an automobile', 'a car'];
    const bundle = await buildEvidenceBundle(replicates(outputs), { embed });
    expect(embed).toHaveBeenCalledTimes(1);
    expect(bundle.meta.distance).toBe('auto+embedding');
    expect(bundle.clusters).toEqual([[0, 1, 2]]);
  });

  it('rejects bad options, naming the field and the value', async () => {
    expect(await problemsOf(buildEvidenceBundle(replicates(['a']), { epsilon: 1.5 }))).toEqual([
      { path: 'epsilon', code: 'out-of-range', message: 'epsilon must be a number in [0, 1], got 1.5' },
    ]);
    const problems = await problemsOf(
      buildEvidenceBundle(replicates(['a', 'b']), { k: 1, distance: 'semantic' as 'auto' }),
    );
    expect(problems.map((p) => p.path)).toEqual(['distance', 'k']);
    expect(problems[0]!.message).toContain('"semantic"');
    expect(problems[1]!.message).toContain('got 1');
  });

  it('rejects duplicate indexes', async () => {
    const problems = await problemsOf(buildEvidenceBundle([...replicates(['a']), ...replicates(['b'])]));
    expect(problems).toEqual([expect.objectContaining({ path: 'replicates[1].index', code: 'duplicate' })]);
  });

  it('rejects an embedder next to a custom distance', async () => {
    const options = { distance: () => 0, embed: async () => [] };
    expect(await problemsOf(buildEvidenceBundle(replicates(['a']), options))).toEqual([
      expect.objectContaining({ path: 'embed', code: 'conflict' }),
    ]);
  });

  it('rejects a custom distance outside [0, 1]', async () => {
    const problems = await problemsOf(buildEvidenceBundle(replicates(['a', 'b']), { distance: () => 2 }));
    expect(problems).toEqual([
      {
        path: 'distance',
        code: 'out-of-range',
        message: 'distance between replicates 0 and 1 must be a number in [0, 1], got 2',
      },
    ]);
  });
});
