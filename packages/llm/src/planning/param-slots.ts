/**
 * Where a template's params sit in an action. An example such as `"What's the weather in {city}?"` marks the param's
 * place; before an action is compared with an example, the param values in both are replaced by the same slot word,
 * so "the weather in Lisbon" (city = Lisbon) and "the weather in {city}" read alike, while a value that is not a param
 * ("the weather in Lisbon" against "the weather in Porto") still differs. A value the request data lacks is read from
 * an action written like the example.
 */

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;
export const MAX_PARAMS = 26;
/** Distinct slot words there are. */
export const MAX_SLOTS = 26 * 26;

/** The params an example names, in order of appearance. */
export function placeholdersOf(example: string): string[] {
  return [...example.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

/**
 * A word that stands for param `index` on both sides: plain letters (the verifier reads it as a word), and at least
 * two letters apart from any other slot, so no two are taken for a slip of one another (`pslotaaa`, `pslotbbb`, …,
 * then `pslotbaba`, `pslotbcbc`, …).
 */
export function slotWord(index: number): string {
  const letter = (n: number) => String.fromCharCode(97 + (n % 26));
  if (index < 26) return `pslot${letter(index).repeat(3)}`;
  const pair = `${letter(Math.floor(index / 26))}${letter(index)}`;
  return `pslot${pair}${pair}`;
}

export function maskExample(example: string, slots: ReadonlyMap<string, string>): string {
  return example.replace(PLACEHOLDER, (whole, name: string) => slots.get(name) ?? whole);
}

/** Words that tie a param to the rest of an example ("for {city}", "to {email}"): they go with it. */
const TIES = new Set(['about', 'at', 'by', 'for', 'from', 'in', 'into', 'near', 'of', 'on', 'to', 'with']);

/**
 * The example without its params, for an action that leaves them to the request data ("Give me a morning briefing"
 * with `{ city: "Oslo" }` for "Give me a morning briefing for {city}"): each placeholder goes, with the word that
 * tied it to the rest when it is one of `TIES`.
 *
 * @example
 * withoutParams('Give me a morning briefing for {city}'); // 'Give me a morning briefing'
 */
export function withoutParams(example: string): string {
  return example
    .replace(/(?:\b(\p{L}+)\s+)?\{[A-Za-z_][A-Za-z0-9_]{0,63}\}/gu, (_whole, word: string | undefined) =>
      word !== undefined && !TIES.has(word.toLowerCase()) ? word : '',
    )
    .replace(/\s+([?.!,;:])/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** The text of a value as an action would write it; undefined for values no action writes (objects, booleans). */
export function valueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` as a whole word (not inside a longer word or number), any case. */
export const wholeWord = (text: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(text)}(?![\\p{L}\\p{N}])`, 'giu');

/** `action` with each value (longest first, any case, as a whole word) replaced by its param's slot. */
export function maskAction(
  action: string,
  values: ReadonlyMap<string, string>,
  slots: ReadonlyMap<string, string>,
): string {
  let masked = action;
  const byLength = [...values].sort((a, b) => b[1].length - a[1].length);
  for (const [name, text] of byLength) {
    const slot = slots.get(name);
    if (slot === undefined) continue;
    masked = masked.replace(wholeWord(text), slot);
  }
  return masked;
}

/** What matching needs of an example, worked out once: its placeholders, the pattern that reads them, its words. */
export interface ExampleShape {
  readonly text: string;
  readonly names: readonly string[];
  /** Undefined for an example without placeholders. */
  readonly pattern: RegExp | undefined;
  /** Its words outside the placeholders, lower case. */
  readonly words: readonly string[];
}

const trimEnd = (text: string) => text.trim().replace(/[\s.?!]+$/u, '');

export function exampleShape(example: string): ExampleShape {
  const names = placeholdersOf(example);
  // Placeholders capture, a run of spaces is one or more spaces, every other character stands for itself.
  const source = trimEnd(example)
    .split(/(\{[A-Za-z_][A-Za-z0-9_]{0,63}\}|\s+)/)
    .map((part) =>
      part.startsWith('{') && part.endsWith('}') && part.length > 2
        ? '(\\S.*?)'
        : /^\s+$/.test(part)
          ? '\\s+'
          : escapeRegExp(part),
    )
    .join('');
  return {
    text: example,
    names,
    pattern: names.length === 0 ? undefined : new RegExp(`^${source}$`, 'iu'),
    words: [...wordsOf(example.replace(PLACEHOLDER, ' '))],
  };
}

/** The words of `text`, lower case. */
export function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/**
 * The values an action written like the example gives its placeholders: `"weather in Lisbon please"` against
 * `"weather in {city} please"` gives `{ city: 'Lisbon' }`. Words between the placeholders must be the example's (any
 * case, any spacing); a trailing `.`, `?` or `!` is ignored. Undefined when the action is not written that way.
 */
export function extractValues(example: ExampleShape, action: string): Map<string, string> | undefined {
  const match = example.pattern?.exec(trimEnd(action));
  if (!match) return undefined;
  const values = new Map<string, string>();
  for (const [i, name] of example.names.entries()) {
    const raw = withoutFiller((match[i + 1] ?? '').trim());
    const quoted = /^(["'«“]).*["'»”]$/u.test(raw);
    const value = quoted ? raw.slice(1, -1) : raw;
    if (value === '' || (!quoted && !plausibleValue(value))) return undefined;
    const earlier = values.get(name);
    if (earlier !== undefined && earlier.toLowerCase() !== value.toLowerCase()) return undefined;
    values.set(name, value);
  }
  return values;
}

/**
 * Whether unquoted text read in a placeholder's place can be one value: a few words, not a clause ("Lisbon and the
 * news about Porto" is two requests, not a city). Longer values come quoted or in the request data.
 */
function plausibleValue(text: string): boolean {
  const words = text.split(/\s+/);
  if (words.length > MAX_VALUE_WORDS || /[,;{}]/.test(text)) return false;
  if (words.some((word) => JOINING_WORDS.has(word.toLowerCase()))) return false;
  // "Paris in Fahrenheit", "Lisbon in French", "no city": more than a value — a qualifier or a negation the example
  // does not say. The particles of names ("Rio de Janeiro", "Isle of Man", "Stoke on Trent") are not among these.
  if (words.some((word) => QUALIFYING_WORDS.has(word))) return false;
  // A name goes on in capitals ("Rio de Janeiro", "New York"): one that trails off in a lower-case word carries more
  // than the name ("Paris today"), which the example does not say.
  const last = words.at(-1) as string;
  return !(/^\p{Lu}/u.test(text) && words.length > 1 && /^\p{Ll}/u.test(last));
}

/** Words that say nothing of the request, at the end of a value read from the action: "Paris please" is "Paris". */
const FILLER = /(?:[\s,]+(?:please|pls|thanks|thank you|thx))+$/iu;
const withoutFiller = (text: string) => text.replace(FILLER, '');
const MAX_VALUE_WORDS = 4;
const JOINING_WORDS = new Set(['and', 'or', 'then', 'but', 'also', 'plus']);
/** Lower-case words that start a qualifier or deny the value, never part of one value. */
const QUALIFYING_WORDS = new Set(
  'in for with without using at by from to into as per via during within no not never except'.split(' '),
);

/** Whether every word of the example outside its placeholders is among `actionWords`: worth guessing values for. */
export function literalWordsIn(example: ExampleShape, actionWords: ReadonlySet<string>): boolean {
  return example.words.every((word) => actionWords.has(word));
}

const VALUE_CANDIDATES = [
  // addresses: https://…, name@host
  /https?:\/\/[^\s"'<>]+[^\s"'<>.,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu,
  // numbers and codes: 1234, 3.5, -2, A-113, SKU42
  /(?<![\p{L}\p{N}])(?:-?\d+(?:[.,]\d+)*|[\p{L}]+[-_]?\d[\p{L}\p{N}_-]*)(?![\p{L}\p{N}])/gu,
  // quoted text
  /"([^"]{1,200})"|“([^”]{1,200})”|'([^']{1,200})'/gu,
  // names: capitalised words in a row (New York, Lisbon)
  /(?<![\p{L}\p{N}])\p{Lu}[\p{L}\p{N}'’-]*(?:\s+\p{Lu}[\p{L}\p{N}'’-]*)*/gu,
];
const MAX_CANDIDATES = 12;

/**
 * What in `action` could be a param's value when the action is not written like the example: numbers, codes, quoted
 * text and names (a name of several words also gives each word alone). Each is tried in the param's place; the
 * verifier decides.
 */
export function valueCandidates(action: string): string[] {
  const found = new Set<string>();
  for (const pattern of VALUE_CANDIDATES) {
    for (const match of action.matchAll(pattern)) {
      const text = (match[1] ?? match[2] ?? match[3] ?? match[0]).trim();
      if (text === '') continue;
      found.add(text);
      const words = text.split(/\s+/);
      if (words.length > 1) for (const word of words) found.add(word);
    }
  }
  return [...found].slice(0, MAX_CANDIDATES);
}
