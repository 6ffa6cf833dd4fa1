/** Pages of a list (`{ items, nextCursor }`) and an async iterator that walks every page. */
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
