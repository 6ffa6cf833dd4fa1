/** Encodes a cached `{ response, usage }` as JSON text, optionally deflated (node:zlib) when large. */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CorruptEntryError } from './errors.js';

export interface PayloadCodecOptions {
  /** Deflate payloads of at least `compressionMinBytes`. @default false */
  compression?: boolean;
  /** @default 1024 */
  compressionMinBytes?: number;
}

export function encodePayload(value: unknown, options: PayloadCodecOptions): string {
  const json = JSON.stringify(value);
  if (options.compression && json.length >= (options.compressionMinBytes ?? 1024)) {
    return `z:${deflateRawSync(json).toString('base64')}`;
  }
  return `j:${json}`;
}

export function decodePayload(entryId: string, payload: string): unknown {
  try {
    if (payload.startsWith('z:'))
      return JSON.parse(inflateRawSync(Buffer.from(payload.slice(2), 'base64')).toString('utf8'));
    if (payload.startsWith('j:')) return JSON.parse(payload.slice(2));
  } catch (cause) {
    throw new CorruptEntryError(entryId, (cause as Error).message, { cause });
  }
  throw new CorruptEntryError(entryId, `unknown payload format "${payload.slice(0, 2)}"`);
}
