/**
 * A `fetch` for an OpenAI-compatible provider that reads the start of a 200 answer to a streaming call when it is no
 * event stream, and refuses it as a `NotAModelStreamError` that shows what was sent. The provider itself reads such a
 * body as an empty stream ("ended without a finish reason"), so the page a wrong `baseURL` answered with is lost.
 *
 * With `idleTimeoutMs`, an endpoint that sends nothing for that long — before its answer begins, or between two parts
 * of its body — fails the call with a retryable `ModelSilentError` and is hung up on: without it, a server that takes
 * the connection and never answers holds the call for ever.
 */
import { bodyStart } from '../body-start.js';
import { ModelSilentError } from './model-silent-error.js';
import { NotAModelStreamError } from './not-a-model-stream-error.js';

/** The body is read this far, at most. */
const READ_LIMIT = 2048;

type Fetch = typeof globalThis.fetch;

function streamedModel(body: unknown): string | undefined {
  if (typeof body !== 'string' || !body.includes('"stream"')) return undefined;
  try {
    const request = JSON.parse(body) as { stream?: unknown; model?: unknown };
    return request.stream === true ? String(request.model ?? 'unknown') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @example
 * const provider = createOpenAICompatible({ name: 'local', baseURL, fetch: modelStreamFetch() });
 */
export function modelStreamFetch(fetch: Fetch = globalThis.fetch, options: { idleTimeoutMs?: number } = {}): Fetch {
  const checked: Fetch = async (input, init) => {
    const response = await fetch(input, init);
    const contentType = response.headers.get('content-type') ?? undefined;
    if (response.status !== 200 || contentType?.toLowerCase().includes('text/event-stream')) return response;
    // Only an answer that is no event stream reads the request back: was it a streaming call, and of which model?
    const model = streamedModel(init?.body);
    if (model === undefined) return response;
    const url = input instanceof Request ? input.url : String(input);
    throw new NotAModelStreamError(model, {
      url,
      ...(contentType ? { contentType } : {}),
      bodyStart: await bodyStart(response, READ_LIMIT),
    });
  };
  const { idleTimeoutMs } = options;
  return idleTimeoutMs === undefined ? checked : watchedFetch(checked, idleTimeoutMs);
}

/** `fetch` hung up on, with a `ModelSilentError`, once the endpoint has sent nothing for `idleMs`. */
function watchedFetch(fetch: Fetch, idleMs: number): Fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const hangUp = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, hangUp.signal]) : hangUp.signal;
    let begun = false;
    let timer: NodeJS.Timeout | undefined;
    let rewatch = () => {};
    const silent = new Promise<never>((_, reject) => {
      rewatch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          const error = new ModelSilentError(url, idleMs, begun);
          hangUp.abort(error);
          reject(error);
        }, idleMs);
        // The request's own socket keeps the process up while it waits; the watch alone must not.
        timer.unref();
      };
    });
    silent.catch(() => {});
    rewatch();
    try {
      const response = await Promise.race([fetch(input, { ...init, signal }), silent]);
      begun = true;
      if (response.body === null) {
        clearTimeout(timer);
        return response;
      }
      return new Response(
        watchedBody(response.body, rewatch, () => clearTimeout(timer), silent),
        response,
      );
    } catch (error) {
      clearTimeout(timer);
      throw hangUp.signal.aborted ? hangUp.signal.reason : error;
    }
  };
}

/** `body`, the silence watched while each part is awaited; errored by `silent`. */
function watchedBody(
  body: ReadableStream<Uint8Array>,
  rewatch: () => void,
  stop: () => void,
  silent: Promise<never>,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      rewatch();
      try {
        const part = await Promise.race([reader.read(), silent]);
        // Watched only while a part is awaited: a reader slow to ask for the next is not the endpoint's silence.
        stop();
        if (part.done) controller.close();
        else controller.enqueue(part.value);
      } catch (error) {
        stop();
        controller.error(error);
        reader.cancel(error).catch(() => {});
      }
    },
    cancel(reason) {
      stop();
      return reader.cancel(reason);
    },
  });
}
