/** Reads how long a failed call asked us to wait: `Retry-After` in seconds or as an HTTP date. */

/** Milliseconds to wait, or undefined when `value` says nothing usable. `now` is for tests. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Finds a Retry-After on an error: its own `retryAfter`, or a `retry-after` response header it carries. */
export function retryAfterOf(error: unknown, now = Date.now()): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  if (record.retryAfter !== undefined) return parseRetryAfter(record.retryAfter, now);
  for (const key of ['responseHeaders', 'headers']) {
    const headers = record[key];
    if (headers && typeof (headers as Headers).get === 'function') {
      const found = parseRetryAfter((headers as Headers).get('retry-after'), now);
      if (found !== undefined) return found;
    } else if (headers && typeof headers === 'object') {
      const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after');
      if (entry) return parseRetryAfter(entry[1], now);
    }
  }
  return undefined;
}
