/**
 * Keys a graph state or function input for the cache. What the user asks becomes the embedded text: a string input
 * itself, the last human turn of a `messages` state (earlier turns become the conversation), or the only string field
 * of an object; the other fields go into the parameters, so they must match exactly. Anything else is keyed by its
 * canonical JSON (exact matches only, in effect).
 */
import type { CacheMessage, CacheRequest, CacheScope } from '@baton/cache';

const ROLES: Record<string, string> = { human: 'user', ai: 'assistant', system: 'system', tool: 'tool' };

function messageOf(message: unknown): CacheMessage {
  if (typeof message === 'string') return { role: 'user', content: message };
  const m = message as { role?: string; content?: unknown; type?: string; _getType?: () => string };
  const type = typeof m._getType === 'function' ? m._getType() : (m.type ?? m.role ?? 'user');
  return { role: ROLES[type] ?? type, content: m.content };
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function split(input: unknown): { messages: CacheMessage[]; rest: unknown } {
  if (typeof input === 'string') return { messages: [{ role: 'user', content: input }], rest: null };
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const { messages, ...rest } = input as Record<string, unknown>;
    if (Array.isArray(messages)) return { messages: messages.map(messageOf), rest };
    const strings = Object.entries(rest).filter(([, value]) => typeof value === 'string');
    if (strings.length === 1) {
      const [name, text] = strings[0]!;
      const { [name]: _text, ...others } = rest;
      return { messages: [{ role: 'user', content: text }], rest: { field: name, ...others } };
    }
  }
  return { messages: [{ role: 'user', content: sortedJson(input) }], rest: null };
}

export function inputToRequest(
  input: unknown,
  model: string,
  params: Record<string, unknown>,
  scope: CacheScope | undefined,
): CacheRequest {
  const { messages, rest } = split(input);
  return {
    model,
    messages,
    params: { ...params, input: rest === null ? undefined : JSON.parse(sortedJson(rest)) },
    scope,
  };
}
