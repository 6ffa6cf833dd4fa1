/**
 * Moves large journal payloads out of line. A `data` value whose canonical JSON exceeds the threshold is replaced by
 * `{ $blob: "<sha256 of its canonical JSON>" }`; when `data` is an object, its large fields are moved one by one first
 * (so `{ output: <big>, durationMs }` shares the big output with every other run that produced it), and the whole
 * object moves only if it is still too large. An object of exactly that `$blob` shape is therefore reserved.
 */
import { canonicalJson, exceedsBytes, sha256Hex } from './canonical-json.js';

export interface BlobContent {
  hash: string;
  /** Canonical JSON of the value. */
  content: string;
}

export interface EncodedData {
  /** Canonical JSON of the stored form. */
  text: string;
  blobs: BlobContent[];
}

export interface BlobReference {
  $blob: string;
}

const HASH_PATTERN = /^[0-9a-f]{64}$/;

export function isBlobReference(value: unknown): value is BlobReference {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === '$blob' && HASH_PATTERN.test(String((value as BlobReference).$blob));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function toBlob(text: string): BlobContent {
  return { hash: sha256Hex(text), content: text };
}

/** The stored form of `value` and the blobs it needs. */
export function encodeData(value: unknown, thresholdBytes: number): EncodedData {
  const text = canonicalJson(value);
  if (!exceedsBytes(text, thresholdBytes)) return { text, blobs: [] };
  if (isPlainObject(value)) {
    const blobs: BlobContent[] = [];
    const stored: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      const fieldText = canonicalJson(field);
      if (exceedsBytes(fieldText, thresholdBytes)) {
        const blob = toBlob(fieldText);
        blobs.push(blob);
        stored[key] = { $blob: blob.hash };
      } else {
        stored[key] = field;
      }
    }
    const storedText = canonicalJson(stored);
    if (!exceedsBytes(storedText, thresholdBytes)) return { text: storedText, blobs };
  }
  const blob = toBlob(text);
  return { text: canonicalJson({ $blob: blob.hash }), blobs: [blob] };
}

/** Hashes of the blobs a stored value references (at the top or in a first-level field). */
export function referencedBlobs(stored: unknown): string[] {
  if (isBlobReference(stored)) return [stored.$blob];
  if (!isPlainObject(stored)) return [];
  return Object.values(stored)
    .filter(isBlobReference)
    .map((reference) => reference.$blob);
}

/** The value with blob references replaced by their (parsed) content; unknown references stay as they are. */
export function resolveBlobs(stored: unknown, contents: ReadonlyMap<string, string>): unknown {
  const resolve = (value: unknown): unknown => {
    if (!isBlobReference(value)) return value;
    const content = contents.get(value.$blob);
    return content === undefined ? value : JSON.parse(content);
  };
  if (isBlobReference(stored)) return resolve(stored);
  if (!isPlainObject(stored) || !Object.values(stored).some(isBlobReference)) return stored;
  return Object.fromEntries(Object.entries(stored).map(([key, field]) => [key, resolve(field)]));
}
