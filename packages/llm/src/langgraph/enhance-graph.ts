/**
 * `enhance()` for a LangGraph.js compiled graph: `invoke` and `stream` are keyed on the input state (plus the stream
 * mode), answered from the cache when they can be, and stored when the run finishes without an interrupt. A thread a
 * checkpointer keeps is never answered from the cache: its answer depends on the thread's state, and a cached one
 * would leave the turn out of it. Only the last human message of `messages`, a state's one string field,
 * or the `prompt` option's text is matched semantically; every other field of the state must match exactly.
 * Every other property is the graph's own.
 */
import type { CacheRequest } from '@baton/cache';
import type { EnhancedControls, EnhanceRuntime } from '../runtime/enhance-runtime.js';
import { inputToRequest } from '../runtime/input-request.js';
import { reviveMessages } from './revive-messages.js';

/** The part of a compiled graph that `enhance()` wraps. */
export interface GraphLike {
  invoke(input: unknown, options?: unknown): Promise<unknown>;
  stream(input: unknown, options?: unknown): Promise<AsyncIterable<unknown>>;
}

export type EnhancedGraph<G extends GraphLike> = G & EnhancedControls;

export function isGraph(target: unknown): target is GraphLike {
  const graph = target as Partial<GraphLike> | null;
  return (
    typeof graph === 'object' &&
    graph !== null &&
    typeof graph.invoke === 'function' &&
    typeof graph.stream === 'function'
  );
}

interface GraphOptions {
  streamMode?: unknown;
  encoding?: unknown;
  subgraphs?: unknown;
  configurable?: { thread_id?: unknown; checkpoint_ns?: unknown; checkpoint_id?: unknown };
}

function graphRequest(runtime: EnhanceRuntime, operation: 'invoke' | 'stream', input: unknown, options: unknown) {
  const o = (options ?? {}) as GraphOptions;
  const params = {
    operation,
    streamMode: operation === 'stream' ? (o.streamMode ?? null) : undefined,
    subgraphs: o.subgraphs,
    thread: o.configurable?.thread_id,
    checkpointNamespace: o.configurable?.checkpoint_ns,
    checkpoint: o.configurable?.checkpoint_id,
  };
  const source = { kind: 'graph' as const, input, config: options };
  return inputToRequest(source, `graph:${runtime.key}`, params, runtime.scopeFor(source), runtime.config.prompt);
}

/**
 * Calls the cache cannot answer: a thread kept by a checkpointer (the answer depends on the thread's state, and a
 * cached one would leave the turn out of the thread), inputs it cannot key (resume commands, `null` to continue a
 * thread) and byte-encoded streams.
 */
function bypassReason(graph: GraphLike, input: unknown, options: unknown): string | undefined {
  const checkpointer = (graph as { checkpointer?: unknown }).checkpointer;
  const thread = (options as GraphOptions | undefined)?.configurable?.thread_id;
  if (checkpointer !== undefined && checkpointer !== false && checkpointer !== null && thread !== undefined) {
    return "the graph keeps the thread's state in a checkpointer: the answer depends on it";
  }
  if (input === null || input === undefined) return 'the graph continues a thread from its checkpoint';
  if (typeof input === 'object' && (input as { lg_name?: unknown }).lg_name === 'Command')
    return 'the input is a Command';
  if ((options as GraphOptions | undefined)?.encoding !== undefined) return 'the stream is byte-encoded';
  return undefined;
}

const interrupted = (value: unknown) =>
  JSON.stringify(value ?? null).includes('"__interrupt__"') ? 'interrupted' : 'stop';

function streamFrom(chunks: AsyncIterable<unknown> | unknown[]): ReadableStream<unknown> {
  const iterator = (chunks as AsyncIterable<unknown>)[Symbol.asyncIterator]
    ? (chunks as AsyncIterable<unknown>)[Symbol.asyncIterator]()
    : (chunks as unknown[])[Symbol.iterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

async function streamGraph(graph: GraphLike, runtime: EnhanceRuntime, input: unknown, options: unknown) {
  const request: CacheRequest = graphRequest(runtime, 'stream', input, options);
  const started = performance.now();
  const bypass = bypassReason(graph, input, options);
  const found = bypass ? { kind: 'bypass' as const, reason: bypass } : await runtime.lookup(request, started);
  if (found.kind === 'hit') return streamFrom(await reviveMessages(found.response.chunks as unknown[]));
  const kind = found.kind;
  const reason = found.kind === 'bypass' ? found.reason : undefined;
  let live: AsyncIterable<unknown>;
  try {
    live = await runtime.guarded(() => graph.stream(input, options));
  } catch (error) {
    runtime.fail(request, error, started);
    throw error;
  }
  async function* collect() {
    const chunks: unknown[] = [];
    try {
      for await (const chunk of live) {
        chunks.push(chunk);
        yield chunk;
      }
    } catch (error) {
      runtime.fail(request, error, started);
      throw error;
    }
    const response = { finishReason: interrupted(chunks), chunks };
    try {
      await runtime.settle(request, kind, { response }, started, { reason });
    } catch (error) {
      runtime.fail(request, error, started);
      throw error;
    }
  }
  return streamFrom(collect());
}

export function enhanceGraph<G extends GraphLike>(graph: G, runtime: EnhanceRuntime): EnhancedGraph<G> {
  const invoke = async (input: unknown, options?: unknown) => {
    const request = graphRequest(runtime, 'invoke', input, options);
    const result = await runtime.run(
      request,
      async () => {
        const output = await graph.invoke(input, options);
        return { response: { finishReason: interrupted(output), output } };
      },
      { bypass: bypassReason(graph, input, options) },
    );
    return result.source === 'cache' ? reviveMessages(result.response.output) : result.response.output;
  };
  const controls: Record<PropertyKey, unknown> = {
    invoke,
    stream: (input: unknown, options?: unknown) => streamGraph(graph, runtime, input, options),
    ...runtime.controls(),
  };
  return new Proxy(graph, {
    get: (target, property, receiver) =>
      property in controls ? controls[property] : Reflect.get(target, property, receiver),
  }) as EnhancedGraph<G>;
}
