/**
 * The kinds of values a request names: e-mail addresses and URLs (linkifyjs), phone numbers in international form
 * (libphonenumber-js), dates and times (chrono-node) — loaded when first needed (`value-parsers.ts`) — and what those
 * libraries do not cover, each by one pattern:
 * file paths and names (their type from `mime-types`: an image, a recording, a PDF), `#channel`, `@handle`,
 * `owner/repo`, an SQL statement, arithmetic, a number with a unit or a currency, coordinates, an IP address, a
 * flight number, a parcel's tracking number, a stock's ticker.
 */
import type { ParsedResult } from 'chrono-node/en';
import { unitNames } from './unit-names.js';
import type { ValueKind } from './value-kind.js';
import type { ValueParsers } from './value-parsers.js';

/** Longest request read: a pasted document says nothing more about its values, and the patterns stay fast. */
const MAX_REQUEST_CHARS = 2_000;

const CASUAL_PERIOD = /^(?:this|next|last|the)\s+(?:week|weekend|month|year)$/i;
const CASUAL_TAGS = new Set(['parser/ENCasualDateParser', 'parser/ENCasualTimeParser', 'result/relativeDate']);

/**
 * A date said in passing — "today", "tomorrow", "now", "this morning", "next week" — is when the request is about,
 * rarely a value a parameter takes ("what's on my todo list today"); a date or time given ("Tuesday at 3pm", "June
 * 3rd", "2024-06-14 12:30", "tomorrow at 9am", "in 2 hours") is. Told by the tags of chrono-node's parsers.
 */
function isCasual(result: ParsedResult): boolean {
  const tags = [...result.tags()];
  if (tags.length === 0) return CASUAL_PERIOD.test(result.text.trim());
  // Casual when every part of it is: "tomorrow at 9am" gives a time, "in 2 hours" a moment.
  return tags.every((tag) => tag.startsWith('casualReference/') || CASUAL_TAGS.has(tag));
}

/** A statement other than a query, at the start of the request or after a colon (`run this: update …`). */
const SQL =
  /(?:^|:)\s*(?:update\s+\S+\s+set\b|insert\s+into\b|delete\s+from\s+\S+\s*(?:$|;|where\b)|(?:create|alter|drop)\s+(?:table|index|view)\b|with\s+\w+\s+as\s*\()/i;
/**
 * A query anywhere, told from English ("select the photos from my trip") by what follows its table: the end, or
 * `where`, `order by`, `group by`, `limit`, a join; or by `select *` and `count(*)`.
 */
const SQL_QUERY =
  /\bselect\s+(?:distinct\s+)?(?:\*|[\w.,()*\s]+?)\s+from\s+[\w."]+(?:\s*$|\s*;|\s+(?:where|order|group|limit|join|inner|left|right|as)\b)|\bselect\s+\*\s+from\b|\bcount\(\*\)/i;
const ARITHMETIC =
  /\d\s*[*×÷^]\s*[\d(]|\d\s+[-+/]\s+[\d(]|\b\d+\+\d|\b(?:sqrt|sin|cos|tan|log|ln|exp|abs)\s*\(|\d\s*%\s*of\s+\d/i;
/**
 * A flight number: an airline's two-letter code and one to four digits (`TP 1352`, `BA117`), not a cell (`A1:D20`), a
 * reading (`PM2.5`), nor a common abbreviation that is not an airline's here (`PR 42`, `FY 2024`).
 */
const FLIGHT_NUMBER = /(?<![\w:.#/-])([A-Z]{2})\s?\d{1,4}(?![\w:%]|[.,]\d)/g;
const NOT_AIRLINES: ReadonlySet<string> = new Set(
  'AI AM CV DB FY HR ID IT ML OK OS PC PM PO PR QA TV UI VM'.split(' '),
);
function namesFlight(text: string): boolean {
  return [...text.matchAll(FLIGHT_NUMBER)].some((match) => !NOT_AIRLINES.has(match[1] as string));
}
/** A parcel's tracking number in one of the formats that cannot be anything else: UPS (`1Z…`) and the UPU's S10. */
const TRACKING_NUMBER = /\b1Z[0-9A-Z]{16}\b|\b[A-Z]{2}\d{9}[A-Z]{2}\b/;
/**
 * A stock's ticker: a cashtag (`$NVDA`), or four or five capitals standing alone (`AAPL`, `MSFT`) that are no common
 * abbreviation (`JSON`, `ASAP`), in a request not written in capitals. Three capitals are as often an airport
 * (`LAX`) or a currency (`USD`) as a ticker, so only a cashtag names one.
 */
const CASHTAG = /(?<![\w$])\$[A-Z]{1,5}(?!\w)/;
const CAPITALS = /(?<![\w$@#./:-])[A-Z]{4,5}(?![\w/:@-]|\.\w)/g;
const NOT_TICKERS: ReadonlySet<string> = new Set(
  (
    'ASAP ATOM AVIF BCC CICD DDOS DOCX EPUB FAQS FEDEX GRPC GUID HEIC HTML HTTP HTTPS IMAP IMHO JPEG JSON LGTM NASA ' +
    'NATO NOTE OAUTH PPTX PROD REST RSVP SAML SEPT SMTP TODO TOML UTF8 UUID WIFI XLSX YAML'
  ).split(' '),
);
function namesTicker(text: string): boolean {
  if (CASHTAG.test(text)) return true;
  const letters = text.replace(/[^A-Za-z]/g, '');
  const capitals = letters.replace(/[^A-Z]/g, '');
  if (capitals.length * 2 > letters.length) return false;
  const candidates = [...text.matchAll(CAPITALS)].map(([word]) => word);
  return candidates.length <= 2 && candidates.some((word) => !NOT_TICKERS.has(word));
}
const COORDINATES = /(?:^|[^\d.])-?\d{1,2}\.\d{2,}\s*,\s*-?\d{1,3}\.\d{2,}(?![\d.])/;
const IP_ADDRESS = /(?:^|[^\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/;
const CHANNEL = /(?:^|\s)#[A-Za-z][\w-]*/;
const MENTION = /(?:^|\s)@[A-Za-z][\w.-]*/;
const CURRENCY_SYMBOL = /[$€£¥₹]\s?\d/;
const NUMBER_THEN_WORD = /(?<![\w.-])\d+(?:[.,]\d+)?\s?(°?[A-Za-zµμ°]+)(?!\w)(?: ([a-z]+)\b)?/g;
const WORD_THEN_NUMBER = /\b([A-Z]{3})\s?\d/g;

const PATH_START = /^(?:~|\.{1,2})?\/|^[A-Za-z]:\\/;
const REPOSITORY = /^[A-Za-z][\w.-]*\/[A-Za-z][\w.-]*$/;
const FILE_NAME = /^[\w*?-][\w.*?-]*\.[A-Za-z0-9]{1,5}$/;
/** A file name whose type is not known (`main.rs`, `app.py`): a name of two letters or more, a lowercase extension. */
const UNKNOWN_EXTENSION = /^[\w*?-]{2,}\.[a-z][a-z0-9]{1,3}$/;

/** Numbers written in international form (`+351 912 345 678`); a number without its country code is too like any other. */
function findPhoneNumbers(text: string, { findNumbers }: ValueParsers): { startsAt: number; endsAt: number }[] {
  if (!text.includes('+')) return [];
  // `POSSIBLE` takes a number of the right length for its country, valid or not (`+1 555 …`); the types omit the option.
  const options = { v2: true, leniency: 'POSSIBLE' } as { v2: true };
  return findNumbers(text, options);
}

let currencies: Set<string> | undefined;
const currencyCodes = () => {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies;
};

/** Types of files that are also top-level domains a link may end in (`.com`, DOS programs): a link's, not a file's. */
const LINK_LIKE_TYPES = new Set(['application/x-msdownload', 'application/octet-stream']);
/**
 * What a name that reads as a link (`notes.md`, `scan.png`, `example.org`) must be to count as a file instead: media,
 * or a common document. Most top-level domains are also some obscure file type (`.org`, `.me`, `.ai`).
 */
const DOCUMENT_TYPE =
  /^(?:image|audio|video)\/|^text\/(?:plain|markdown|csv|yaml|html)$|^application\/(?:pdf|json|zip|x-yaml|msword|vnd\.ms-|vnd\.openxmlformats)/;

/** The kinds a file name's extension gives: every file is a `path`, an image also an `image`, and so on. */
function fileKinds(name: string, { mimeType }: ValueParsers): ValueKind[] | undefined {
  const type = mimeType(name);
  if (type === false || LINK_LIKE_TYPES.has(type)) return undefined;
  const [family] = type.split('/');
  if (family === 'image' || family === 'audio' || family === 'video') return ['path', family];
  if (type === 'application/pdf') return ['path', 'pdf'];
  return ['path'];
}

/** A whitespace-separated word of the request that links and e-mails did not claim: a path, a file or a repository. */
function wordKinds(word: string, into: Set<ValueKind>, parsers: ValueParsers): void {
  const bare = word.replace(/^["'`(<[]+|["'`)>\],;:!?.]+$/g, '');
  if (bare.length < 3) return;
  const last = bare.slice(Math.max(bare.lastIndexOf('/'), bare.lastIndexOf('\\')) + 1);
  const fileLike = FILE_NAME.test(last)
    ? (fileKinds(last, parsers) ?? (UNKNOWN_EXTENSION.test(last) ? ['path'] : undefined))
    : undefined;
  if (PATH_START.test(bare)) {
    for (const kind of fileLike ?? ['path']) into.add(kind);
    return;
  }
  for (const kind of fileLike ?? []) into.add(kind);
  // `acme/app` is a repository, `config/app.yaml` a file, and `vercel/next.js` either.
  if (REPOSITORY.test(bare) && !DOCUMENT_TYPE.test(parsers.mimeType(last) || '')) into.add('repository');
}

function linkKinds(text: string, into: Set<ValueKind>, { findLinks, mimeType }: ValueParsers): string {
  let rest = text;
  for (const link of findLinks(text)) {
    // `main.rs` in `src/main.rs` is the end of a path, not a Serbian domain: the word pass reads the whole path.
    if (/[/~\w.-]/.test(text[link.start - 1] ?? '')) continue;
    if (link.type === 'email') {
      into.add('email');
    } else if (/^[a-z][\w+.-]*:\/\//i.test(link.value) || /^www\./i.test(link.value)) {
      into.add('url');
    } else if (link.value.includes('/')) {
      into.add('url');
      if (/^(?:github|gitlab|bitbucket)\.\w+\/[^/]+\/[^/]+/i.test(link.value)) into.add('repository');
    } else if (DOCUMENT_TYPE.test(mimeType(link.value) || '')) {
      continue; // `app.py`, `notes.md`: a file whose extension is also a top-level domain; the word pass takes it.
    } else {
      into.add('domain');
    }
    rest = rest.replace(link.value, ' ');
  }
  return rest;
}

function measureKinds(text: string, into: Set<ValueKind>): void {
  const units = unitNames();
  const codes = currencyCodes();
  for (const [, word, next] of text.matchAll(NUMBER_THEN_WORD)) {
    const first = word!.toLowerCase();
    const unit = (next === undefined ? undefined : units.get(`${first} ${next}`)) ?? units.get(first);
    if (unit) {
      into.add(unit);
      if (unit !== 'duration') into.add('quantity');
    } else if (codes.has(first.toUpperCase()) && first.length === 3) {
      into.add('money');
    }
  }
  for (const [, code] of text.matchAll(WORD_THEN_NUMBER)) if (codes.has(code!)) into.add('money');
  if (CURRENCY_SYMBOL.test(text)) into.add('money');
}

/**
 * The kinds of values in a request, in no order, read with `parsers` (`loadValueParsers()`).
 *
 * @example
 * requestValueKinds('Text +351 912 345 678 at 6pm that scan.png is in #support', await loadValueParsers());
 * // Set { 'phone', 'datetime', 'path', 'image', 'channel' }
 */
export function requestValueKinds(request: string, parsers: ValueParsers): Set<ValueKind> {
  const text = request.slice(0, MAX_REQUEST_CHARS);
  const kinds = new Set<ValueKind>();
  if (SQL.test(text) || SQL_QUERY.test(text)) {
    kinds.add('sql');
    return kinds; // A statement's own words (`orders`, `status = 'pending'`) are not values of other kinds.
  }
  let withoutPhones = text;
  for (const { startsAt, endsAt } of findPhoneNumbers(text, parsers)) {
    kinds.add('phone');
    withoutPhones = withoutPhones.slice(0, startsAt) + ' '.repeat(endsAt - startsAt) + withoutPhones.slice(endsAt);
  }
  const rest = linkKinds(withoutPhones, kinds, parsers);
  if (COORDINATES.test(rest)) kinds.add('coordinates');
  else if (IP_ADDRESS.test(rest)) kinds.add('ip');
  if (ARITHMETIC.test(rest)) kinds.add('expression');
  if (TRACKING_NUMBER.test(rest)) kinds.add('tracking');
  else if (namesFlight(rest)) kinds.add('flight');
  if (namesTicker(rest)) kinds.add('ticker');
  if (CHANNEL.test(rest)) kinds.add('channel');
  if (MENTION.test(rest)) kinds.add('mention');
  for (const word of rest.split(/\s+/)) wordKinds(word, kinds, parsers);
  measureKinds(rest, kinds);
  if (parsers.parseDates(rest).some((result) => !isCasual(result))) kinds.add('datetime');
  return kinds;
}
