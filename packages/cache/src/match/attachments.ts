/**
 * How message content becomes key material. Text parts are the words a person asked; every other part (images and
 * files, tool calls, tool results) is keyed exactly. Binary data never reaches a key as JSON (a `Uint8Array` would
 * become `{"0":…,"1":…}`, an `ArrayBuffer` `{}`): bytes — `Uint8Array`, `Buffer`, `ArrayBuffer`, typed arrays, base64
 * and `data:` URL strings in file and image parts — are keyed by SHA-256 of the bytes, so the same file keys alike
 * in any of those forms. A `URL` is keyed by its address (its content is not fetched). `Map` and `Set` are keyed by
 * their entries.
 */
import { createHash } from 'node:crypto';

/** An attachment's bytes as key material: their SHA-256 and length (the media type stays in the part beside it). */
export interface BytesDigest {
  $bytes: string;
  length: number;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function digest(bytes: Uint8Array): BytesDigest {
  return { $bytes: sha256(bytes), length: bytes.byteLength };
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (
    value instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)
  ) {
    return new Uint8Array(value);
  }
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

const DATA_URL = /^data:([^,;]*)((?:;[^,;=]+=[^,;]*)*)(;base64)?,(.*)$/s;

/** The media type and digest of a `data:` URL, or undefined when `text` is not one. */
function dataUrlDigest(text: string): (BytesDigest & { mediaType: string; parameters?: string }) | undefined {
  if (!text.startsWith('data:')) return undefined;
  const match = DATA_URL.exec(text);
  if (!match) return undefined;
  const body = match[4]!;
  let bytes: Uint8Array;
  try {
    bytes = match[3] ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
  } catch {
    return undefined;
  }
  const parameters = match[2] ? { parameters: match[2] } : {};
  return { ...digest(bytes), mediaType: match[1] || 'text/plain', ...parameters };
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Fields of a file or image part that hold its data (AI SDK: `data`, `image`; LangChain: `data`, `url`). */
const DATA_FIELDS = new Set(['data', 'image', 'url', 'image_url', 'file_data']);
const FILE_TYPES = new Set(['file', 'image', 'audio', 'video', 'media', 'image_url', 'input_image', 'input_file']);

/** A string in a data field of a file part: a data URL or base64 becomes the digest of its bytes, a URL stays text. */
function fileString(text: string): unknown {
  const fromUrl = dataUrlDigest(text);
  if (fromUrl) return fromUrl;
  if (text.length > 0 && BASE64.test(text) && !/^https?:/.test(text)) return digest(Buffer.from(text, 'base64'));
  return text;
}

/**
 * `value` as plain JSON-ready key material: bytes become digests, `data:` URLs anywhere become digests, base64 in the
 * data field of a file part becomes the digest of the bytes, URLs become `{ $url }`, Maps and Sets their entries.
 * Structure and every other value are kept, so two values key alike only when they are alike.
 */
export function keyableValue(value: unknown, inFilePart = false): unknown {
  const bytes = bytesOf(value);
  if (bytes) return digest(bytes);
  if (typeof value === 'string') return inFilePart ? fileString(value) : (dataUrlDigest(value) ?? value);
  if (value instanceof URL)
    return inFilePart ? (dataUrlDigest(value.href) ?? { $url: value.href }) : { $url: value.href };
  if (Array.isArray(value)) return value.map((item) => keyableValue(item));
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [keyableValue(k), keyableValue(v)]) };
  if (value instanceof Set) return { $set: [...value].map((item) => keyableValue(item)) };
  if (value instanceof Date) return value.toJSON();
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.type === 'string' && FILE_TYPES.has(object.type)) return filePart(object);
    return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, keyableValue(item)]));
  }
  return value;
}

/** A file part: a data URL whose media type is the part's own keys like the same bytes given raw. */
function filePart(part: Record<string, unknown>): Record<string, unknown> {
  const mediaType = part.mediaType ?? part.mime_type ?? part.mimeType;
  return Object.fromEntries(
    Object.entries(part).map(([key, item]) => {
      if (!DATA_FIELDS.has(key)) return [key, keyableValue(item)];
      const keyed = keyableValue(item, true);
      if (keyed && typeof keyed === 'object' && (keyed as { mediaType?: unknown }).mediaType === mediaType) {
        const { mediaType: _same, ...bytes } = keyed as BytesDigest & { mediaType: string };
        return [key, bytes];
      }
      return [key, keyed];
    }),
  );
}

/** A message's content split into the words asked (text parts) and everything else, keyed exactly. */
export interface SplitContent {
  text: string;
  /** Non-text parts (attachments, tool calls and results) as `keyableValue`s, in order. */
  parts: unknown[];
}

function textOf(part: unknown): string | undefined {
  if (typeof part === 'string') return part;
  const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
  return (type === 'text' || type === undefined) && typeof text === 'string' ? text : undefined;
}

export function splitContent(content: unknown): SplitContent {
  if (typeof content === 'string') return { text: content, parts: [] };
  if (Array.isArray(content)) {
    const texts: string[] = [];
    const parts: unknown[] = [];
    for (const part of content) {
      const text = textOf(part);
      if (text === undefined) parts.push(keyableValue(part));
      else texts.push(text);
    }
    return { text: texts.join('\n'), parts };
  }
  if (content === undefined || content === null) return { text: '', parts: [] };
  return { text: '', parts: [keyableValue(content)] };
}
