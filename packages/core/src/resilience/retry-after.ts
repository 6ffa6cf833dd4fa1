/** Reads how long a failed call asked us to wait: `Retry-After` in seconds or as an HTTP date. */

/** Milliseconds to wait, or undefined when `value` says nothing usable. `now` is for tests. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text);
  return date === undefined ? undefined : Math.max(0, date - now);
}

// The three forms RFC 9110 allows. `Date.parse` alone is far too lenient: it reads "-1" or "abc 1" as the year 2001.
const IMF_FIXDATE = /^[a-z]{3}, \d{2} [a-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/i;
const RFC_850 = /^[a-z]{6,9}, \d{2}-[a-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/i;
const ASCTIME = /^[a-z]{3} [a-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/i;

/** Milliseconds since the epoch of an HTTP date, or undefined when `text` is not one. */
function parseHttpDate(text: string): number | undefined {
  let date: number;
  if (IMF_FIXDATE.test(text) || RFC_850.test(text)) date = Date.parse(text);
  else if (ASCTIME.test(text)) date = Date.parse(`${text} GMT`);
  else return undefined;
  return Number.isNaN(date) ? undefined : date;
}

/**
 * Finds a Retry-After on an error: its own `retryAfter`, or a `retry-after` header on `headers`, `responseHeaders`
 * (AI SDK) or `response.headers` (fetch- and axios-style clients), as a `Headers` object or a plain record.
 */
export function retryAfterOf(error: unknown, now = Date.now()): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  const own = record.retryAfter === undefined ? undefined : parseRetryAfter(record.retryAfter, now);
  if (own !== undefined) return own;
  const response = record.response as Record<string, unknown> | undefined;
  for (const headers of [record.headers, record.responseHeaders, response?.headers]) {
    const found = parseRetryAfter(headerOf(headers, 'retry-after'), now);
    if (found !== undefined) return found;
  }
  return undefined;
}

function headerOf(headers: unknown, name: string): unknown {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}
