/**
 * What is never cached or served: a request with nothing asked (an empty, whitespace-only or punctuation-only last
 * user turn without attachments). What is not cached by default: errors, refusals (flagged by the caller, or a text that opens like one: "I'm sorry,
 * but I can't help with that"), unfinished generations (finish reason other than `stop`), requests with temperature
 * above 0 (opt-in), and tool-call responses not marked deterministic.
 */
import { splitContent } from './attachments.js';
import type { CacheMessage, CacheRequest, CacheResponse } from './request.js';

export interface CacheabilityOptions {
  /** Cache and serve requests whose temperature is above 0. @default false */
  cacheNonZeroTemperature?: boolean;
  /** Cache responses that call tools. Mark a single store call deterministic with `store(..., { deterministic: true })`. @default false */
  cacheToolCalls?: boolean;
}

/** Refusal openings, matched after `normalizeRefusalText` (lowercase, "I'm" → "i am", "can't" → "cannot"). */
const APOLOGY = `(?:(?:i am|we are) (?:so |very |really )?sorry|sorry|(?:i|we) apologi[sz]e|unfortunately)`;
const SUBJECT = `(?:i|we|as an ai(?: language model| assistant)?,? i)`;
const CANNOT = `(?:cannot|will not|am unable to|are unable to|am not able to|must decline to|am not allowed to)`;
const ACTS = `(?:help|assist|comply|provide|do (?:that|this)|fulfil|fulfill|answer|share|create|generate|write|engage|support|discuss)`;
const REFUSALS = [
  new RegExp(String.raw`^(?:${APOLOGY}[,.!]? (?:but )?)?${SUBJECT} ${CANNOT} (?:\w+ ){0,2}?${ACTS}\b`),
  new RegExp(`^${APOLOGY}[,.!]? (?:but )?(?:that is|this is) not something (?:i|we) can`),
];

function normalizeRefusalText(text: string): string {
  return text
    .trimStart()
    .slice(0, 160)
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .replace(
      /\b(i|we|that|this)'(m|re|s)\b/g,
      (_m, who: string, verb: string) => `${who} ${verb === 's' ? 'is' : verb === 'm' ? 'am' : 'are'}`,
    )
    .replace(/\bcan'?t\b|\bcan not\b/g, 'cannot')
    .replace(/\bwon'?t\b/g, 'will not');
}

/**
 * True when a model's answer opens like a refusal ("I'm sorry, but I can't help with that", "As an AI language model,
 * I cannot provide…", "I won't write that"). Only the opening is read, so an answer that later says what it cannot do
 * is not mistaken for one.
 */
export function isRefusalText(text: string): boolean {
  const opening = normalizeRefusalText(text);
  return REFUSALS.some((pattern) => pattern.test(opening));
}

/** Whitespace, punctuation and invisible format characters only: nothing asked. Emoji and symbols carry meaning. */
const NOTHING_ASKED = /^[\s\p{P}\p{Cf}]*$/u;

function lastUserContent(messages: readonly CacheMessage[]): unknown {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  return '';
}

/**
 * Why a request asks nothing, or undefined. Its answer would be keyed on noise — every empty prompt would share one.
 * An exact-only request's text is structured input (`[]` for a call without arguments), so only an empty one counts.
 */
export function emptyPromptReason(request: CacheRequest): string | undefined {
  const { text, parts } = splitContent(lastUserContent(request.messages));
  if (parts.length > 0) return undefined;
  if (request.exactOnly ? text !== '' : !NOTHING_ASKED.test(text)) return undefined;
  const shown = text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}…` : JSON.stringify(text);
  return `the prompt ${shown} is empty or only whitespace and punctuation`;
}

/** Why a request must bypass the cache entirely, or undefined when it may use it. */
export function bypassReason(request: CacheRequest, options: CacheabilityOptions): string | undefined {
  const empty = emptyPromptReason(request);
  if (empty) return empty;
  const temperature = request.params?.temperature;
  if (typeof temperature === 'number' && temperature > 0 && !options.cacheNonZeroTemperature) {
    return `temperature ${temperature} > 0 (set cacheNonZeroTemperature to cache sampled answers)`;
  }
  return undefined;
}

/** Why a response must not be stored, or undefined when it may be. */
export function refusalToStore(
  request: CacheRequest,
  response: CacheResponse,
  options: CacheabilityOptions & { deterministic?: boolean },
): string | undefined {
  const bypass = bypassReason(request, options);
  if (bypass) return bypass;
  if (response.error !== undefined && response.error !== null) return 'the response is an error';
  if (response.refusal) return 'the model refused';
  if (typeof response.text === 'string' && isRefusalText(response.text)) return 'the answer is a refusal';
  if (response.finishReason !== 'stop') return `finish reason is ${JSON.stringify(response.finishReason)}, not "stop"`;
  if (response.toolCalls && response.toolCalls.length > 0 && !options.cacheToolCalls && !options.deterministic) {
    return 'the response calls tools and is not marked deterministic';
  }
  return undefined;
}
