/**
 * A `fetch` for an OpenAI-compatible provider that reads the start of a 200 answer to a streaming call when it is no
 * event stream, and refuses it as a `NotAModelStreamError` that shows what was sent. The provider itself reads such a
 * body as an empty stream ("ended without a finish reason"), so the page a wrong `baseURL` answered with is lost.
 */
import { bodyStart } from '../body-start.js';
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
export function modelStreamFetch(fetch: Fetch = globalThis.fetch): Fetch {
  return async (input, init) => {
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
}
