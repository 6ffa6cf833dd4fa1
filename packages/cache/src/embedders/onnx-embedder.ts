/**
 * Local ONNX sentence-embedding models (e.g. all-MiniLM-L6-v2 exported for Transformers.js) run through
 * `@huggingface/transformers`, from a model directory the user provides. Remote loading is switched off: a missing
 * directory, config or `.onnx` file is a `ModelNotFoundError`, never a silent fallback or a download. The embedder id
 * carries a fingerprint of the model files, so two different models in folders of the same name never share vectors,
 * and every output is checked against `dimension` (a `VectorDimensionError`, never truncated or padded).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MissingDependencyError } from '@baton/core';
import { ModelNotFoundError, VectorDimensionError } from '../errors.js';
import { type Embedder, normalize } from './embedder.js';

export interface OnnxEmbedderOptions {
  /** Directory holding `config.json`, the tokenizer files and `onnx/model*.onnx`. */
  modelDirectory: string;
  /** Vector size of the model (384 for all-MiniLM-L6-v2). */
  dimension: number;
  /** Token pooling. @default 'mean' */
  pooling?: 'mean' | 'cls';
  /** Weight precision of the `.onnx` file to load (`fp32` → `model.onnx`, `q8` → `model_quantized.onnx`). @default 'fp32' */
  dtype?: 'fp32' | 'fp16' | 'q8';
}

type Extractor = (
  texts: string[],
  options: { pooling: string; normalize: boolean },
) => Promise<{ tolist(): number[][] }>;

/** Checks the directory before anything is loaded, so the error names the missing file. */
export function assertOnnxModelDirectory(modelDirectory: string): void {
  const directory = resolve(modelDirectory);
  if (!existsSync(directory)) {
    throw new ModelNotFoundError(directory, `ONNX model directory "${directory}" does not exist`);
  }
  if (!existsSync(join(directory, 'config.json'))) {
    throw new ModelNotFoundError(
      directory,
      `"${directory}" has no config.json; it is not a Transformers.js model directory`,
    );
  }
  const onnxDirectory = join(directory, 'onnx');
  const models = existsSync(onnxDirectory) ? readdirSync(onnxDirectory).filter((file) => file.endsWith('.onnx')) : [];
  if (models.length === 0) {
    throw new ModelNotFoundError(directory, `"${directory}" has no onnx/*.onnx model file`);
  }
}

const FINGERPRINT_BYTES = 1 << 20;

/** Size and first MiB of a file: enough to tell model files apart without reading hundreds of megabytes. */
function hashFileHead(hash: ReturnType<typeof createHash>, path: string): void {
  const size = statSync(path).size;
  const head = Buffer.alloc(Math.min(size, FINGERPRINT_BYTES));
  const descriptor = openSync(path, 'r');
  try {
    readSync(descriptor, head, 0, head.length, 0);
  } finally {
    closeSync(descriptor);
  }
  hash.update(`${basename(path)}:${size}:`).update(head);
}

/**
 * 12 hex digits of SHA-256 over `config.json`, and the size and first MiB of `tokenizer.json` and every
 * `onnx/*.onnx` file: what identifies the model, whatever its folder is called. Modification times are left out, so a
 * copied model keeps its id.
 */
export function onnxModelFingerprint(modelDirectory: string): string {
  const directory = resolve(modelDirectory);
  const hash = createHash('sha256').update(readFileSync(join(directory, 'config.json')));
  if (existsSync(join(directory, 'tokenizer.json'))) hashFileHead(hash, join(directory, 'tokenizer.json'));
  for (const file of readdirSync(join(directory, 'onnx'))
    .filter((name) => name.endsWith('.onnx'))
    .sort()) {
    hashFileHead(hash, join(directory, 'onnx', file));
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * @example
 * const embedder = createOnnxEmbedder({ modelDirectory: './models/all-MiniLM-L6-v2', dimension: 384 });
 */
export function createOnnxEmbedder(options: OnnxEmbedderOptions): Embedder {
  const directory = resolve(options.modelDirectory);
  assertOnnxModelDirectory(directory);
  let extractor: Promise<Extractor> | undefined;
  const load = async (): Promise<Extractor> => {
    // An optional peer dependency (it brings onnxruntime, hundreds of MB): only ONNX users install it.
    const transformers = await import('@huggingface/transformers').catch((error: unknown) => {
      if (!MissingDependencyError.isNotFound(error, '@huggingface/transformers')) throw error;
      throw new MissingDependencyError('@huggingface/transformers', 'the ONNX embedder', { cause: error });
    });
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    transformers.env.localModelPath = `${dirname(directory)}/`;
    try {
      const pipe = await transformers.pipeline('feature-extraction', basename(directory), {
        local_files_only: true,
        dtype: options.dtype ?? 'fp32',
      });
      return pipe as unknown as Extractor;
    } catch (cause) {
      throw new ModelNotFoundError(
        directory,
        `cannot load the ONNX model in "${directory}": ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  };
  const id = `onnx:${basename(directory)}@${onnxModelFingerprint(directory)}:${options.pooling ?? 'mean'}:${options.dtype ?? 'fp32'}`;
  return {
    id,
    dimension: options.dimension,
    async embed(texts) {
      extractor ??= load();
      extractor.catch(() => {
        extractor = undefined;
      });
      const output = await (await extractor)(texts, { pooling: options.pooling ?? 'mean', normalize: true });
      return output.tolist().map((row) => {
        if (row.length !== options.dimension) {
          throw new VectorDimensionError(
            id,
            options.dimension,
            row.length,
            `set dimension: ${row.length} for this model`,
          );
        }
        return normalize(Float32Array.from(row));
      });
    },
  };
}
