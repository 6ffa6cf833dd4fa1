/**
 * `enhance()` for any async function: calls are keyed on the arguments (a single string argument, or an object's only
 * string field, is matched semantically; everything else must match exactly) and the result is cached as JSON. A
 * result that does not survive JSON (class instances, functions) should not be cached this way.
 */
import type { EnhancedControls, EnhanceRuntime } from '../runtime/enhance-runtime.js';
import { inputToRequest } from '../runtime/input-request.js';

// biome-ignore lint/suspicious/noExplicitAny: any function signature is accepted and preserved.
export type AsyncFunction = (...args: any[]) => Promise<unknown>;

export type EnhancedFunction<F extends AsyncFunction> = ((...args: Parameters<F>) => ReturnType<F>) & EnhancedControls;

export function enhanceFunction<F extends AsyncFunction>(fn: F, runtime: EnhanceRuntime): EnhancedFunction<F> {
  const enhanced = async (...args: unknown[]) => {
    const scope = runtime.scopeFor({ kind: 'function', args });
    const input = args.length === 1 ? args[0] : args;
    const request = inputToRequest(input, `function:${runtime.name}`, { arity: args.length }, scope);
    const result = await runtime.run(request, async () => ({
      response: { finishReason: 'stop', output: await fn(...args) },
    }));
    return result.response.output;
  };
  return Object.assign(enhanced, {
    getMetrics: () => runtime.getMetrics(),
    exportMetrics: (path: string) => runtime.exportMetrics(path),
    getRecords: () => runtime.getRecords(),
    cache: runtime.cache,
    close: () => runtime.close(),
  }) as unknown as EnhancedFunction<F>;
}
