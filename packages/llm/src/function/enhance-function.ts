/**
 * `enhance()` for any async function: calls are keyed on the arguments and the result is cached as JSON. Only a single
 * string argument (or the text the `prompt` option picks) is matched semantically; any other call must match exactly.
 * A result that does not survive JSON (class instances, functions) should not be cached this way.
 */
import type { EnhancedControls, EnhanceRuntime } from '../runtime/enhance-runtime.js';
import { inputToRequest } from '../runtime/input-request.js';

// biome-ignore lint/suspicious/noExplicitAny: any function signature is accepted and preserved.
export type AsyncFunction = (...args: any[]) => Promise<unknown>;

export type EnhancedFunction<F extends AsyncFunction> = ((...args: Parameters<F>) => ReturnType<F>) & EnhancedControls;

export function enhanceFunction<F extends AsyncFunction>(fn: F, runtime: EnhanceRuntime): EnhancedFunction<F> {
  const enhanced = async (...args: unknown[]) => {
    const source = { kind: 'function' as const, args };
    const scope = runtime.scopeFor(source);
    const model = `function:${runtime.key}`;
    const request = inputToRequest(source, model, { arity: args.length }, scope, runtime.config.prompt);
    const result = await runtime.run(request, async () => ({
      response: { finishReason: 'stop', output: await fn(...args) },
    }));
    return result.response.output;
  };
  return Object.assign(enhanced, runtime.controls()) as unknown as EnhancedFunction<F>;
}
