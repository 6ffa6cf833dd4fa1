/** Pages of a list (`{ items, nextCursor }`) and an async iterator that walks every page. */
import type { z } from 'zod';
import type { HttpTransport, QueryValues } from './http-transport.js';
import { BatonProtocolError } from './protocol-error.js';

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last one. */
  nextCursor: string | null;
}

export interface PageOptions {
  /** Items per page, 1 to 200. @default 50 (the server's) */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/**
 * Yields every item of every page, fetching the next page only when the previous one is used up.
 *
 * @example
 * for await (const item of paginate((cursor) => client.list({ cursor }), 'GET /v1/orchestrations')) console.log(item);
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  source: { method: string; url: string },
  firstCursor?: string,
): AsyncGenerator<T, void, undefined> {
  let cursor = firstCursor;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    if (page.nextCursor === null) return;
    if (page.nextCursor === cursor) {
      throw new BatonProtocolError({
        ...source,
        expected: 'a page whose nextCursor moves on',
        issues: [{ path: 'nextCursor', message: `the page after cursor ${JSON.stringify(cursor)} gave it again` }],
      });
    }
    cursor = page.nextCursor;
  }
}

/**
 * Every item of a list the server pages (`GET path?…&limit=200&cursor=…`), fetched page after page: for lists a caller
 * wants whole, such as the approvals waiting for a person.
 */
export async function everyItem<T>(
  transport: HttpTransport,
  request: { path: string; query: QueryValues; schema: z.ZodType<Page<T>>; expected: string },
): Promise<T[]> {
  const items: T[] = [];
  const page = (cursor: string | undefined) =>
    transport.request({
      method: 'GET',
      path: request.path,
      query: { ...request.query, limit: 200, cursor },
      schema: request.schema,
      expected: request.expected,
      idempotent: true,
    });
  for await (const item of paginate(page, { method: 'GET', url: transport.url(request.path) })) items.push(item);
  return items;
}
