/**
 * The products tools are named after: `redis_get`, `redis_set` and `redis_delete` share `redis`; `gmail.send-email` and
 * `gmail.search` share `gmail`. A request that names one ("what is under session:abc123 in redis", "in mongo, total
 * the orders") asks for one of its tools, which a sentence's embedding hardly tells, so tool search lifts them. A
 * namespace is the first word of a name that two tools or more share and no name has further on: in `send_email`,
 * `send_sms` and `email_send`, `send` is what the tools do, not whose they are. A request names one with that word,
 * its stem, or the word's start of five letters or more (`mongo` for `mongodb`).
 */
import { searchTerm, splitWords } from './search-terms.js';

/** A shorter start names too much: `post` is not `postgres`, nor `time` a `timezone`. */
const MIN_PREFIX = 5;

export interface ToolNamespaces {
  /** Each namespace once. */
  names: string[];
  /** A tool's namespace as an index in `names`, by the tool's place in the list; -1 for a tool of none. */
  of: Int32Array;
}

/** The namespaces of the tools named `toolNames`, in that order. */
export function toolNamespaces(toolNames: readonly string[]): ToolNamespaces {
  const later = new Set<string>();
  const firsts = toolNames.map((name) => {
    const words = splitWords(name);
    for (const word of words.slice(1)) later.add(word);
    return words.length >= 2 ? words[0]! : '';
  });
  const counts = new Map<string, number>();
  for (const first of firsts) counts.set(first, (counts.get(first) ?? 0) + 1);
  const names = [...counts]
    .filter(([first, count]) => first !== '' && count >= 2 && !later.has(first))
    .map(([first]) => first);
  const index = new Map(names.map((name, i) => [name, i]));
  return { names, of: Int32Array.from(firsts, (first) => index.get(first) ?? -1) };
}

/** Which of `namespaces.names` the request's raw words (`splitWords`) name, as flags by index; undefined for none. */
export function namedNamespaces(namespaces: ToolNamespaces, words: readonly string[]): Uint8Array | undefined {
  let named: Uint8Array | undefined;
  const terms = words.map((word) => [word, searchTerm(word)] as const).filter(([, term]) => term !== null);
  namespaces.names.forEach((name, i) => {
    const stem = searchTerm(name);
    const names = terms.some(
      ([word, term]) => word === name || term === stem || (word.length >= MIN_PREFIX && name.startsWith(word)),
    );
    if (!names) return;
    named ??= new Uint8Array(namespaces.names.length);
    named[i] = 1;
  });
  return named;
}
