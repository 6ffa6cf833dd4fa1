/**
 * Keys a function call or graph input for the cache. Only a text a person asked is matched semantically: a single
 * string argument, a state whose one field is a string, the last human turn of a `messages` state (earlier turns
 * become the conversation), or the text a `prompt` function picks. Everything else in the input goes into the
 * parameters, so it must match exactly; an input with no such text (several arguments, objects of several fields) is
 * exact-only — `fn('translate', 'hello to french')` never answers `fn('translate', 'hello to spanish')`.
 */
import { type CacheMessage, type CacheRequest, type CacheScope, keyableValue } from '@baton/cache';
import type { PromptSource } from '../config/enhance-config.js';

const ROLES: Record<string, string> = { human: 'user', ai: 'assistant', system: 'system', tool: 'tool' };

/** Stands for the semantically matched text where it sat in the input, so the rest can be keyed exactly. */
const PROMPT_PLACEHOLDER = { $batonPrompt: true };

function messageOf(message: unknown): CacheMessage {
  if (typeof message === 'string') return { role: 'user', content: message };
  const m = message as { role?: string; content?: unknown; type?: string; _getType?: () => string };
  const type = typeof m._getType === 'function' ? m._getType() : (m.type ?? m.role ?? 'user');
  return { role: ROLES[type] ?? type, content: m.content };
}

/** Sorted JSON of the keyable form: bytes by SHA-256, Maps and Sets by entries (JSON would make them all `{}`). */
function sortedJson(value: unknown): string {
  return (
    JSON.stringify(keyableValue(value), (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v,
    ) ?? 'null'
  );
}

/** `value` with every string equal to `text` replaced by the placeholder. */
function withoutText(value: unknown, text: string): unknown {
  if (value === text) return PROMPT_PLACEHOLDER;
  if (Array.isArray(value)) return value.map((item) => withoutText(item, text));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutText(item, text)]));
  }
  return value;
}

type Split = { messages: CacheMessage[]; rest: unknown; exactOnly?: true };

const semantic = (text: string, rest: unknown): Split => ({ messages: [{ role: 'user', content: text }], rest });

function splitState(input: unknown): Split | undefined {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const { messages, ...rest } = input as Record<string, unknown>;
  if (Array.isArray(messages)) return { messages: messages.map(messageOf), rest };
  const fields = Object.entries(input);
  if (fields.length === 1 && typeof fields[0]![1] === 'string')
    return semantic(fields[0]![1], { field: fields[0]![0] });
  return undefined;
}

function split(input: unknown, source: PromptSource, prompt: ((call: PromptSource) => string | undefined) | undefined) {
  if (prompt) {
    const chosen = prompt(source);
    if (typeof chosen === 'string' && chosen.trim() !== '') return semantic(chosen, withoutText(input, chosen));
  } else {
    if (typeof input === 'string') return semantic(input, null);
    const state = source.kind === 'graph' ? splitState(input) : undefined;
    if (state) return state;
  }
  const key = sortedJson(input);
  return { messages: [{ role: 'user', content: key }], rest: input, exactOnly: true } satisfies Split;
}

/**
 * @example
 * inputToRequest({ kind: 'function', args: ['translate', 'hello'] }, 'function:t', {}, undefined); // exact-only
 */
export function inputToRequest(
  source: PromptSource,
  model: string,
  params: Record<string, unknown>,
  scope: CacheScope | undefined,
  prompt?: (call: PromptSource) => string | undefined,
): CacheRequest {
  const input = source.kind === 'function' ? (source.args.length === 1 ? source.args[0] : source.args) : source.input;
  const { messages, rest, exactOnly } = split(input, source, prompt);
  return {
    model,
    messages,
    params: { ...params, input: rest === null ? undefined : JSON.parse(sortedJson(rest)) },
    scope,
    ...(exactOnly ? { exactOnly } : {}),
  };
}
