/**
 * What is not cached by default: empty or punctuation-only prompts (never cached or served), errors, refusals (flagged by the caller, or a text that opens like one: "I'm sorry,
 * but I can't help with that"), unfinished generations (finish reason other than `stop`), requests with temperature
 * above 0 (opt-in), and tool-call responses not marked deterministic.
 */

import type { CacheRequest, CacheResponse } from './request.js';
import { lastUserTurn } from './request-keys.js';

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

/** Letters, digits and symbols (currency, operators, emoji): what makes a prompt ask something. */
const MEANINGFUL = /[\p{L}\p{N}\p{S}]/u;

/** Why a request must bypass the cache entirely, or undefined when it may use it. */
export function bypassReason(request: CacheRequest, options: CacheabilityOptions): string | undefined {
  // An empty or punctuation-only question asks nothing one answer could be right for. Exact-only requests are keys
  // (a function's arguments), where `[]` is as good a key as any.
  if (!request.exactOnly && !MEANINGFUL.test(lastUserTurn(request.messages))) {
    return 'the prompt is empty or only punctuation';
  }
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
