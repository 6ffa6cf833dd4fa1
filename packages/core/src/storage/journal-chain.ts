/**
 * The journal's hash chain. Each entry's hash is the SHA-256 of the canonical JSON of
 * `{ runId, seq, type, stepKey, data, prevHash }`, where `data` is the stored form (large values replaced by
 * `{ $blob: "<sha256>" }`); the first entry's `prevHash` is 64 zeros. Because a blob's address is the hash of its
 * content, the chain still commits to every byte, and checking the chain needs no blob.
 */
import { sha256Hex } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The last entry of a run's journal: seq -1 and the genesis hash when empty. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: -1, hash: GENESIS_HASH };

/** An entry ready to be chained: its data already in stored, canonical form. */
export interface EncodedEntry {
  type: string;
  stepKey: string | null;
  /** Canonical JSON of the stored data. */
  data: string;
  /** Blobs this entry references, `{ hash, content }`. */
  blobs: readonly { hash: string; content: string }[];
}

export interface ChainedEntry extends EncodedEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * The hash of one entry. The envelope is assembled around the already-canonical data text, keys in canonical order;
 * for strings and integers RFC 8785's forms are JSON.stringify's, so this equals
 * `sha256(canonicalJson({ runId, seq, type, stepKey, data, prevHash }))` without serialising data twice (this is the
 * journal's hot path).
 */
export function entryHash(
  runId: string,
  seq: number,
  type: string,
  stepKey: string | null,
  data: string,
  prevHash: string,
): string {
  const key = stepKey === null ? 'null' : JSON.stringify(stepKey);
  return sha256Hex(
    `{"data":${data},"prevHash":${JSON.stringify(prevHash)},"runId":${JSON.stringify(runId)},"seq":${seq},"stepKey":${key},"type":${JSON.stringify(type)}}`,
  );
}

/** Gives each entry its seq, previous hash and hash, continuing from `head`. */
export function chainEntries(runId: string, head: ChainHead, entries: readonly EncodedEntry[]): ChainedEntry[] {
  const chained: ChainedEntry[] = [];
  let { seq, hash } = head;
  for (const entry of entries) {
    seq += 1;
    const prevHash = hash;
    hash = entryHash(runId, seq, entry.type, entry.stepKey, entry.data, prevHash);
    chained.push({ ...entry, seq, prevHash, hash });
  }
  return chained;
}

/** The head after `entries`; `head` itself when there are none. */
export function headAfter(head: ChainHead, entries: readonly ChainedEntry[]): ChainHead {
  const last = entries[entries.length - 1];
  return last === undefined ? head : { seq: last.seq, hash: last.hash };
}
