/**
 * What is not cached by default: errors, refusals, unfinished generations (finish reason other than `stop`),
 * requests with temperature above 0 (opt-in), and tool-call responses not marked deterministic.
 */
import type { CacheRequest, CacheResponse } from './request.js';

export interface CacheabilityOptions {
  /** Cache and serve requests whose temperature is above 0. @default false */
  cacheNonZeroTemperature?: boolean;
  /** Cache responses that call tools. Mark a single store call deterministic with `store(..., { deterministic: true })`. @default false */
  cacheToolCalls?: boolean;
}

/** Why a request must bypass the cache entirely, or undefined when it may use it. */
export function bypassReason(request: CacheRequest, options: CacheabilityOptions): string | undefined {
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
  if (response.finishReason !== 'stop') return `finish reason is ${JSON.stringify(response.finishReason)}, not "stop"`;
  if (response.toolCalls && response.toolCalls.length > 0 && !options.cacheToolCalls && !options.deterministic) {
    return 'the response calls tools and is not marked deterministic';
  }
  return undefined;
}
