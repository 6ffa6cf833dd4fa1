/**
 * Keys that decide which cached answers a request may see. The exact key hashes the normalized prompt with every
 * input that changes the answer; the partition key hashes everything but the last user turn, so the semantic tier
 * searches only answers given under the same model, system prompt, tools, parameters, scope and earlier conversation.
 */
import { createHash } from 'node:crypto';
import type { CacheMessage, CacheRequest, CacheScope } from './request.js';

/** Trims, collapses whitespace, lowercases and drops trailing punctuation: differences that never change an answer. */
export function normalizePrompt(text: string): string {
  return (
    text
      .normalize('NFC')
      // Only runs and non-space whitespace are replaced: rewriting every single space costs ~100 ms on 1 MB.
      .replace(/\s{2,}|[^\S ]/g, ' ')
      .trim()
      .toLowerCase()
      .replace(/[\s?!.]+$/, '')
  );
}

export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === 'string' ? part : ((part as { text?: string })?.text ?? JSON.stringify(part))))
      .join('\n');
  }
  return JSON.stringify(content ?? '');
}

/** The text the semantic tier embeds: the last user turn. */
export function lastUserTurn(messages: readonly CacheMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') return contentText(messages[i]!.content);
  }
  return '';
}

export function scopeKey(scope: CacheScope | undefined): string {
  return `t=${scope?.tenant ?? ''}|p=${scope?.project ?? ''}|u=${scope?.user ?? ''}`;
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

/** Everything except the last user turn's text: the context a semantic match must share. */
function context(request: CacheRequest) {
  const index = lastUserIndex(request.messages);
  const earlier = request.messages
    .filter((_message, i) => i !== index)
    .map((message) => ({ role: message.role, content: normalizePrompt(contentText(message.content)) }));
  return {
    model: request.model,
    params: request.params ?? {},
    system: request.system ?? '',
    tools: request.tools ?? null,
    toolChoice: request.toolChoice ?? null,
    responseFormat: request.responseFormat ?? null,
    scope: scopeKey(request.scope),
    conversation: hash(earlier),
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
