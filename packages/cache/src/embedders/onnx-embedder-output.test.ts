import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { VectorDimensionError } from '../errors.js';
import { createOnnxEmbedder } from './onnx-embedder.js';

/** The model answers 3-dimensional vectors, whatever it is asked. */
vi.mock('@huggingface/transformers', () => ({
  env: {},
  pipeline: async () => async (texts: string[]) => ({ tolist: () => texts.map(() => [0.6, 0.8, 0]) }),
}));

function modelDirectory(name: string, config: string, weights: string): string {
  const directory = join(mkdtempSync(join(tmpdir(), 'baton-onnx-id-')), name);
  mkdirSync(join(directory, 'onnx'), { recursive: true });
  writeFileSync(join(directory, 'config.json'), config);
  writeFileSync(join(directory, 'onnx', 'model.onnx'), weights);
  return directory;
}

describe('createOnnxEmbedder output and identity', () => {
  it('refuses an output whose dimension is not the configured one, naming both', async () => {
    const directory = modelDirectory('mini', '{"model_type":"bert"}', 'weights');
    const wrong = createOnnxEmbedder({ modelDirectory: directory, dimension: 384 });
    const error = await wrong.embed(['hello']).catch((e: unknown) => e);
    expect(VectorDimensionError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ expected: 384, actual: 3 });
    const right = createOnnxEmbedder({ modelDirectory: directory, dimension: 3 });
    expect(Array.from((await right.embed(['hello']))[0]!)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6), 0]);
  });

  it('gives two different models in folders of the same name different ids, and a copy the same id', () => {
    const a = createOnnxEmbedder({ modelDirectory: modelDirectory('model', '{"a":1}', 'weights-a'), dimension: 3 });
    const b = createOnnxEmbedder({ modelDirectory: modelDirectory('model', '{"a":1}', 'weights-b'), dimension: 3 });
    const c = createOnnxEmbedder({ modelDirectory: modelDirectory('model', '{"a":2}', 'weights-a'), dimension: 3 });
    const copy = createOnnxEmbedder({ modelDirectory: modelDirectory('model', '{"a":1}', 'weights-a'), dimension: 3 });
    expect(a.id).toMatch(/^onnx:model@[0-9a-f]{12}:mean:fp32$/);
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(copy.id).toBe(a.id);
  });
});
