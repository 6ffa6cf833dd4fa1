import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '../errors.js';
import { createOnnxEmbedder } from './onnx-embedder.js';

describe('createOnnxEmbedder', () => {
  it('refuses a directory that does not exist', () => {
    expect(() => createOnnxEmbedder({ modelDirectory: '/nonexistent/model', dimension: 384 })).toThrow(
      /does not exist/,
    );
  });

  it('refuses a directory without config.json or an onnx file, naming what is missing', () => {
    const directory = mkdtempSync(join(tmpdir(), 'baton-onnx-'));
    expect(() => createOnnxEmbedder({ modelDirectory: directory, dimension: 384 })).toThrow(/no config.json/);
    writeFileSync(join(directory, 'config.json'), '{}');
    expect(() => createOnnxEmbedder({ modelDirectory: directory, dimension: 384 })).toThrow(/no onnx\/\*\.onnx/);
  });

  it('fails loading a broken model with ModelNotFoundError instead of downloading one', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'baton-onnx-'));
    writeFileSync(join(directory, 'config.json'), '{"model_type":"bert"}');
    mkdirSync(join(directory, 'onnx'));
    writeFileSync(join(directory, 'onnx', 'model.onnx'), 'not a model');
    const embedder = createOnnxEmbedder({ modelDirectory: directory, dimension: 384 });
    await expect(embedder.embed(['hello'])).rejects.toSatisfy((error) => ModelNotFoundError.isInstance(error));
  });
});
