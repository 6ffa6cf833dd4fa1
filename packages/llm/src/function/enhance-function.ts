/**
 * `enhance()` for any async function: calls are keyed on the arguments and the result is cached as JSON. Only a single
 * string argument (or the text the `prompt` option picks) is matched semantically; any other call must match exactly.
 * A result that would not come back from JSON as itself (bytes, Maps, Sets, Dates, class instances, functions,
 * `undefined`, non-finite numbers) is returned but never stored: a hit would otherwise hand back a different value
 * (a `Uint8Array` as `{"0":…}`, a `Map` as `{}`).
 */
import type { EnhancedControls, EnhanceRuntime } from '../runtime/enhance-runtime.js';
import { inputToRequest } from '../runtime/input-request.js';

// biome-ignore lint/suspicious/noExplicitAny: any function signature is accepted and preserved.
export type AsyncFunction = (...args: any[]) => Promise<unknown>;

export type EnhancedFunction<F extends AsyncFunction> = ((...args: Parameters<F>) => ReturnType<F>) & EnhancedControls;

/** Whether `JSON.parse(JSON.stringify(value))` gives back an equal value: plain objects, arrays and primitives. */
export function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(survivesJson);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every(survivesJson);
}

export function enhanceFunction<F extends AsyncFunction>(fn: F, runtime: EnhanceRuntime): EnhancedFunction<F> {
  const enhanced = async (...args: unknown[]) => {
    const source = { kind: 'function' as const, args };
    const scope = runtime.scopeFor(source);
    const model = `function:${runtime.key}`;
    const request = inputToRequest(source, model, { arity: args.length }, scope, runtime.config.prompt);
    const result = await runtime.run(request, async () => {
      const output = await fn(...args);
      return { response: { finishReason: survivesJson(output) ? 'stop' : 'not-json', output } };
    });
    return result.response.output;
  };
  return Object.assign(enhanced, runtime.controls()) as unknown as EnhancedFunction<F>;
}
