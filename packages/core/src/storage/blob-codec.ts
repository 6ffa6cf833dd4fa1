/**
 * Moves large journal payloads out of line. A `data` value whose canonical JSON exceeds the threshold is replaced by
 * `{ $blob: "<sha256 of its canonical JSON>" }`; when `data` is an object, its large fields are moved one by one first
 * (so `{ output: <big>, durationMs }` shares the big output with every other run that produced it), and the whole
 * object moves only if it is still too large. References are only looked for at those two levels, so a user value
 * there that looks like a marker (an object whose one key is `$blob` or `$baton:literal`) is stored escaped, as
 * `{ "$baton:literal": <value> }`, and reads back exactly as it was written.
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
const LITERAL = '$baton:literal';

/** True when the stored text may hold a blob reference or an escaped value, i.e. needs `resolveBlobs`. */
export function mayHoldMarkers(text: string): boolean {
  return text.includes('"$blob"') || text.includes(`"${LITERAL}"`);
}

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

/** A one-key object whose key is a marker: it could be read as one, so user values of that shape are escaped. */
function looksLikeMarker(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === '$blob' || keys[0] === LITERAL);
}

function isEscaped(value: unknown): value is Record<typeof LITERAL, unknown> {
  return isPlainObject(value) && Object.keys(value).length === 1 && LITERAL in value;
}

/** `value` with marker-shaped user values escaped where references are looked for: at the top and in its fields. */
function escapeMarkers(value: unknown): unknown {
  if (looksLikeMarker(value)) return { [LITERAL]: value };
  if (!isPlainObject(value) || !Object.values(value).some(looksLikeMarker)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, looksLikeMarker(field) ? { [LITERAL]: field } : field]),
  );
}

function toBlob(text: string): BlobContent {
  return { hash: sha256Hex(text), content: text };
}

/** The stored form of `value` and the blobs it needs. */
export function encodeData(raw: unknown, thresholdBytes: number): EncodedData {
  let value = raw;
  let text = canonicalJson(raw);
  // A marker-shaped value always shows its quoted key in the canonical text, so the scan is needed only then.
  if (mayHoldMarkers(text)) {
    value = escapeMarkers(raw);
    if (value !== raw) text = canonicalJson(value);
  }
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

/** The value as written: blob references replaced by their (parsed) content, escaped values unwrapped; unknown
 * references stay as they are. */
export function resolveBlobs(stored: unknown, contents: ReadonlyMap<string, string>): unknown {
  const resolve = (value: unknown): unknown => {
    if (!isBlobReference(value)) return value;
    const content = contents.get(value.$blob);
    return content === undefined ? value : JSON.parse(content);
  };
  const unwrap = (value: unknown): unknown => (isEscaped(value) ? value[LITERAL] : value);
  const top = resolve(stored);
  if (isEscaped(top)) return top[LITERAL];
  if (!isPlainObject(top) || !Object.values(top).some((field) => isBlobReference(field) || isEscaped(field)))
    return top;
  return Object.fromEntries(Object.entries(top).map(([key, field]) => [key, unwrap(resolve(field))]));
}
