/**
 * The kinds of values a tool's parameters take, read off its input JSON Schema: a parameter's `format` (`email`,
 * `uri`, `date-time`, `hostname`, `ipv4`…), and the words of its name and description (`to: Phone number in E.164
 * format` takes a phone number; `path: Image path` a path and an image).
 */
import { splitWords } from '../search-terms.js';
import { asNode, type SchemaNode } from '../tool-text.js';
import type { ValueKind } from './value-kind.js';

const MAX_SCHEMA_DEPTH = 4;

const FORMATS: Record<string, ValueKind> = {
  email: 'email',
  'idn-email': 'email',
  uri: 'url',
  url: 'url',
  iri: 'url',
  'uri-reference': 'url',
  hostname: 'domain',
  'idn-hostname': 'domain',
  ipv4: 'ip',
  ipv6: 'ip',
  date: 'datetime',
  'date-time': 'datetime',
  time: 'datetime',
  duration: 'duration',
};

/** Words of a parameter's name or description that say which kind of value it takes. */
const WORDS: Record<string, ValueKind> = {};
const KIND_WORDS: Record<ValueKind, string> = {
  email: 'email emails e-mail mail',
  url: 'url urls uri link links href website webpage',
  domain: 'domain domains hostname host',
  ip: 'ip ipv4 ipv6',
  phone: 'phone telephone mobile msisdn e164',
  datetime: 'date dates time datetime timestamp when deadline due iso8601',
  duration: 'duration seconds minutes hours days weeks ttl timeout interval',
  path: 'path paths file files filename directory folder dir glob',
  image: 'image images photo photos picture pictures',
  audio: 'audio recording',
  video: 'video videos',
  pdf: 'pdf',
  channel: 'channel channels hashtag',
  mention: 'user username handle',
  repository: 'repo repository repositories',
  sql: 'sql',
  expression: 'expression formula equation',
  quantity: 'unit units quantity',
  temperature: 'temperature degrees celsius fahrenheit',
  money: 'amount price currency money cost',
  coordinates: 'lat lon lng latitude longitude coordinates',
  flight: 'flight',
  tracking: 'tracking waybill parcel',
  ticker: 'ticker tickers symbol symbols',
};
for (const [kind, words] of Object.entries(KIND_WORDS)) {
  for (const word of words.split(' ')) WORDS[word] = kind as ValueKind;
}

/** Last words of a parameter name that make it an identifier, whatever its description mentions. */
const IDENTIFIER_NAMES = new Set(['id', 'ids', 'key', 'keys', 'uuid', 'ref']);
/** What an identifier's name may still say it takes: `channel_id` takes `#general`, `repo_id` takes `owner/repo`. */
const NAMED_BY_ID: ReadonlySet<ValueKind> = new Set(['channel', 'mention', 'repository']);

/** Parameters named by one everyday word that, alone, names a moment (`start`, `at`, `until`). */
const DATE_NAMES = new Set(['start', 'end', 'at', 'until', 'since', 'due']);

function parameterKinds(key: string, node: SchemaNode | undefined, into: Set<ValueKind>): void {
  if (typeof node?.format === 'string' && FORMATS[node.format]) into.add(FORMATS[node.format]!);
  const nameWords = splitWords(key);
  // `message_id: Id of the email` takes an identifier, not an e-mail address; `channel_id` still takes a channel.
  if (IDENTIFIER_NAMES.has(nameWords.at(-1) ?? '')) {
    for (const kind of wordKinds(nameWords)) if (NAMED_BY_ID.has(kind)) into.add(kind);
    return;
  }
  const description = typeof node?.description === 'string' ? node.description : '';
  const described = description.replace(/\bE\.164\b/gi, 'e164').replace(/\bISO[ -]?8601\b/gi, 'iso8601');
  for (const kind of wordKinds([...nameWords, ...splitWords(described)])) into.add(kind);
  if (nameWords.length === 1 && DATE_NAMES.has(nameWords[0]!)) into.add('datetime');
}

function wordKinds(words: readonly string[]): ValueKind[] {
  return words.flatMap((word) => WORDS[word] ?? []);
}

function collect(node: SchemaNode | undefined, depth: number, into: Set<ValueKind>): void {
  if (!node || depth > MAX_SCHEMA_DEPTH) return;
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const described = asNode(child);
    parameterKinds(key, described, into);
    parameterKinds(key, asNode(described?.items), into);
    collect(described, depth + 1, into);
    collect(asNode(described?.items), depth + 1, into);
  }
}

/** The kinds of values the parameters of `schema` (a tool's input JSON Schema) take. */
export function parameterValueKinds(schema: unknown): Set<ValueKind> {
  const kinds = new Set<ValueKind>();
  collect(asNode(schema), 0, kinds);
  return kinds;
}
