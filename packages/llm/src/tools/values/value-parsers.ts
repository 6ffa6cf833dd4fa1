/**
 * The parsers `request-value-kinds.ts` reads values with — chrono-node (dates), libphonenumber-js (phone numbers),
 * linkifyjs (addresses and links), mime-types (file types) — loaded by the first search that reads values, not when
 * `@baton/llm` is imported: together they take about a fifth of a second to load, which most importers never need.
 */
import type { parse } from 'chrono-node/en';
import type { findNumbers } from 'libphonenumber-js';
import type { find } from 'linkifyjs';
import type { lookup } from 'mime-types';

export interface ValueParsers {
  parseDates: typeof parse;
  findNumbers: typeof findNumbers;
  findLinks: typeof find;
  mimeType: typeof lookup;
}

let loading: Promise<ValueParsers> | undefined;

/** The parsers, loaded once; a load that failed is tried again by the next call. */
export function loadValueParsers(): Promise<ValueParsers> {
  loading ??= Promise.all([
    import('chrono-node/en'),
    import('libphonenumber-js'),
    import('linkifyjs'),
    import('mime-types'),
  ]).then(([chrono, phone, linkify, mime]) => ({
    parseDates: chrono.parse,
    findNumbers: phone.findNumbers,
    findLinks: linkify.find,
    mimeType: mime.lookup,
  }));
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
