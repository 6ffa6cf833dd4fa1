/**
 * Keys that decide which cached answers a request may see. The exact key hashes the normalized prompt with every
 * input that changes the answer; the partition key hashes everything but the last user turn's text, so the semantic
 * tier searches only answers given under the same model, system prompt, tools, parameters, scope, earlier
 * conversation and attachments (keyed by the SHA-256 of their bytes, see `attachments.ts`). Every key is a hash of
 * canonical JSON, never of values joined with separators, so no chosen value can make two keys equal.
 */
import { createHash } from 'node:crypto';
import { keyableValue, splitContent } from './attachments.js';
import type { CacheMessage, CacheRequest, CacheScope } from './request.js';

/**
 * Trims, collapses whitespace and drops trailing `?`, `!` and `.`: differences that never change an answer. Case is
 * kept (`ls -R` is not `ls -r`, `%m` is not `%M`): case-insensitive equivalence is the verified semantic tier's call.
 */
export function normalizePrompt(text: string): string {
  return (
    text
      .normalize('NFC')
      // Only runs and non-space whitespace are replaced: rewriting every single space costs ~100 ms on 1 MB.
      .replace(/\s{2,}|[^\S ]/g, ' ')
      .trim()
      .replace(/[\s?!.]+$/, '')
  );
}

/** The text parts of a message's content (attachments, tool calls and results are keyed apart, never as text). */
export function contentText(content: unknown): string {
  return splitContent(content).text;
}

/** The text the semantic tier embeds: the text of the last user turn. */
export function lastUserTurn(messages: readonly CacheMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') return contentText(messages[i]!.content);
  }
  return '';
}

/**
 * The scope as a JSON array `[tenant, project, user]` (a missing field is `null`, so it differs from `''`): unlike
 * joined text, no value can spell another scope.
 */
export function scopeKey(scope: CacheScope | undefined): string {
  return JSON.stringify([scope?.tenant ?? null, scope?.project ?? null, scope?.user ?? null]);
}

/** JSON with sorted object keys, so `{a, b}` and `{b, a}` hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The first 160 bits of SHA-256, as a flat 40-character hex string (no slice of a longer one kept alive). */
const hash = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest().toString('hex', 0, 20);

function lastUserIndex(messages: readonly CacheMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return i;
  return -1;
}

function messageKey(message: CacheMessage) {
  const { text, parts } = splitContent(message.content);
  return { role: message.role, content: normalizePrompt(text), parts };
}

/** Everything except the last user turn's text: the context a semantic match must share. */
function context(request: CacheRequest) {
  const index = lastUserIndex(request.messages);
  const earlier = request.messages.filter((_message, i) => i !== index).map(messageKey);
  return {
    model: request.model,
    params: keyableValue(request.params ?? {}),
    system: request.system ?? '',
    tools: keyableValue(request.tools ?? null),
    toolChoice: keyableValue(request.toolChoice ?? null),
    responseFormat: keyableValue(request.responseFormat ?? null),
    scope: scopeKey(request.scope),
    conversation: hash(earlier),
    // The last turn's attachments: the semantic tier compares only the text of requests with identical ones.
    attachments: index === -1 ? [] : splitContent(request.messages[index]!.content).parts,
    exactOnly: request.exactOnly === true ? true : undefined,
  };
}

export function partitionKey(request: CacheRequest): string {
  return hash(context(request));
}

export function exactKey(request: CacheRequest): string {
  return requestKeys(request).exact;
}

/** Both keys of a request, sharing the work of reading its context once. */
export function requestKeys(request: CacheRequest): { exact: string; partition: string } {
  const shared = context(request);
  return {
    exact: hash({ ...shared, prompt: normalizePrompt(lastUserTurn(request.messages)) }),
    partition: hash(shared),
  };
}
