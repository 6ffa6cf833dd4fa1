/**
 * Rewrites the other ways of writing the same words into one form, token by token: contractions ("can't" → "can
 * not"), spelling variants and well-known misspellings, numbers written as words ("two" → "2"), agreement forms
 * ("are" → "is", "does" → "do", "an" → "a"), abbreviations ("NYC" → "new york city") and multi-word synonyms ("sign
 * in" → "login"). A phrase is found through an index on its first word, so the pass stays linear in the text.
 */
import { ABBREVIATION_GROUPS } from './lists/abbreviations.js';
import { CONTRACTION_SUFFIXES, CONTRACTIONS, IS_AFTER } from './lists/contractions.js';
import { SYNONYM_GROUPS } from './lists/everyday-synonyms.js';
import { SPELLING } from './lists/spelling.js';
import { type Token, tokenize } from './tokens.js';

const NUMBER_WORDS: Readonly<Record<string, string>> = {
  zero: '0',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  eleven: '11',
  twelve: '12',
  thirteen: '13',
  fourteen: '14',
  fifteen: '15',
  sixteen: '16',
  seventeen: '17',
  eighteen: '18',
  nineteen: '19',
  twenty: '20',
  thirty: '30',
  forty: '40',
  fifty: '50',
  sixty: '60',
  seventy: '70',
  eighty: '80',
  ninety: '90',
  hundred: '100',
  thousand: '1000',
  million: '1000000',
  billion: '1000000000',
  first: '1st',
  third: '3rd',
  fourth: '4th',
  fifth: '5th',
  sixth: '6th',
  seventh: '7th',
  eighth: '8th',
  ninth: '9th',
  tenth: '10th',
  eleventh: '11th',
  twelfth: '12th',
  thirteenth: '13th',
  fourteenth: '14th',
  fifteenth: '15th',
  sixteenth: '16th',
  seventeenth: '17th',
  eighteenth: '18th',
  nineteenth: '19th',
  twentieth: '20th',
  thirtieth: '30th',
  hundredth: '100th',
  dozen: '12',
  noon: '12:00',
  midday: '12:00',
  midnight: '0:00',
};

/** Agreement forms: the same word made to agree with its subject. */
const AGREEMENT: Readonly<Record<string, string>> = {
  are: 'is',
  am: 'is',
  were: 'was',
  does: 'do',
  has: 'have',
  an: 'a',
};

/** Every word `expandWord` rewrites without an apostrophe: the others pass through untouched. */
const EXPANDED: Readonly<Record<string, unknown>> = Object.assign(
  Object.create(null),
  CONTRACTIONS,
  SPELLING,
  NUMBER_WORDS,
  AGREEMENT,
);

const word = (key: string, raw = key): Token => ({ key, raw, kind: /^\d/.test(key) ? 'number' : 'word' });

const TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const UNITS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

function expandWord(token: Token): Token[] {
  const compound = /^([a-z]+)-([a-z]+)$/.exec(token.key);
  if (compound && TENS[compound[1]!] && UNITS.indexOf(compound[2]!) > 0) {
    return [{ key: String(TENS[compound[1]!]! + UNITS.indexOf(compound[2]!)), raw: token.raw, kind: 'number' }];
  }
  // "four-year-old" and "two-week" are read as "4-year-old" and "2-week" are: the number, then the rest.
  const counted = /^([a-z]+)-([a-z][a-z-]*)$/.exec(token.key);
  const count = counted ? NUMBER_WORDS[counted[1]!] : undefined;
  if (counted && count !== undefined && /^\d/.test(count) && !count.includes(':')) {
    return [{ key: count, raw: token.raw, kind: 'number' }, word(counted[2]!, token.raw)];
  }
  if (!token.key.includes("'") && !(token.key in EXPANDED)) return [token];
  const listed = CONTRACTIONS[token.key];
  // The parts agree as written-out words do: "I'm" → "i is", as "I am" → "i is".
  if (listed) return listed.split(' ').map((part) => word(AGREEMENT[part] ?? part, token.raw));
  for (const [suffix, full] of CONTRACTION_SUFFIXES) {
    if (token.key.endsWith(suffix) && token.key.length > suffix.length) {
      return [
        ...expandWord(word(token.key.slice(0, -suffix.length), token.raw)),
        word(AGREEMENT[full] ?? full, token.raw),
      ];
    }
  }
  if (token.key.endsWith("'s") && token.key.length > 2) {
    const base = token.key.slice(0, -2);
    return [...expandWord(word(base, token.raw)), word(IS_AFTER.has(base) ? 'is' : "'s", token.raw)];
  }
  const spelled = SPELLING[token.key];
  if (spelled) return [word(spelled, token.raw)];
  const number = NUMBER_WORDS[token.key];
  if (number) return [{ key: number, raw: token.raw, kind: number.includes(':') ? 'time' : 'number' }];
  const agreed = AGREEMENT[token.key];
  return [agreed ? word(agreed, token.raw) : token];
}

interface PhraseRule {
  /** Keys to match; an element starting with `=` matches a token written exactly so. */
  readonly pattern: readonly string[];
  readonly replacement: readonly Token[];
}

function groupRules(groups: readonly string[], separator: string, multiWordOnly: boolean): PhraseRule[] {
  const rules: PhraseRule[] = [];
  for (const group of groups) {
    const forms = group.split(separator).map((form) => form.trim());
    const replacement = forms[0]!.split(' ').map((part) => word(part));
    for (const form of forms.slice(1)) {
      if (multiWordOnly && !form.includes(' ')) continue;
      const pattern = form.startsWith('=')
        ? [form]
        : tokenize(form)
            .flatMap((token) => (token.kind === 'word' ? expandWord(token) : [token]))
            .map((token) => token.key);
      rules.push({ pattern, replacement });
    }
  }
  return rules;
}

const RULES_BY_FIRST = new Map<string, PhraseRule[]>();
for (const rule of [...groupRules(ABBREVIATION_GROUPS, '|', false), ...groupRules(SYNONYM_GROUPS, ',', true)]) {
  const first = rule.pattern[0]!.startsWith('=')
    ? rule.pattern[0]!.slice(1).replace(/\./g, '').toLowerCase()
    : rule.pattern[0]!;
  const rules = RULES_BY_FIRST.get(first) ?? [];
  rules.push(rule);
  rules.sort((x, y) => y.pattern.length - x.pattern.length);
  RULES_BY_FIRST.set(first, rules);
}

const matchesAt = (tokens: readonly Token[], start: number, pattern: readonly string[]) =>
  pattern.every((element, offset) => {
    const token = tokens[start + offset];
    if (!token) return false;
    return element.startsWith('=') ? token.raw === element.slice(1) : token.key === element && !token.cased;
  });

/** Rewrites listed phrases (abbreviations, multi-word synonyms) into their group's first form. */
function rewritePhrases(tokens: readonly Token[]): Token[] {
  const result: Token[] = [];
  for (let i = 0; i < tokens.length; ) {
    const rules = RULES_BY_FIRST.get(tokens[i]!.key);
    const rule = rules?.find((candidate) => matchesAt(tokens, i, candidate.pattern));
    if (!rule) {
      result.push(tokens[i]!);
      i++;
      continue;
    }
    const raw = tokens
      .slice(i, i + rule.pattern.length)
      .map((token) => token.raw)
      .join(' ');
    result.push(...rule.replacement.map((token) => ({ ...token, raw })));
    i += rule.pattern.length;
  }
  return result;
}

const MONTHS = new Set(
  'january february march april may june july august september october november december'.split(' '),
);
const MULTIPLIERS = new Set(['100', '1000', '1000000', '1000000000']);
const DAY_PARTS: Readonly<Record<string, number>> = { morning: 0, afternoon: 12, evening: 12, night: 12 };
const DECIMAL = /^\d+(?:\.\d+)?$/;
const isWordNumber = (token: Token | undefined) => token?.kind === 'number' && /^[a-z]/i.test(token.raw);
const cardinal = (token: Token | undefined) =>
  token?.kind === 'number' ? /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(token.key)?.[1] : undefined;

/**
 * Numbers and dates written in words or in another order: "one hundred" → 100, "second law" → "2nd law",
 * "3 March" / "the 3rd of March" / "March 3rd" → "march 3", "12 noon" → 12:00, "7 in the evening" → 19:00.
 */
function rewriteNumbersAndDates(tokens: readonly Token[]): Token[] {
  const result: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = result.at(-1);
    const factor =
      previous?.key === 'one'
        ? '1'
        : previous?.kind === 'number' && DECIMAL.test(previous.key)
          ? previous.key
          : undefined;
    if (token.kind === 'number' && MULTIPLIERS.has(token.key) && isWordNumber(token) && factor !== undefined) {
      // "1.5 million" is 1500000; toPrecision drops the binary fraction 1.1 × 10⁶ would print.
      const key = String(Number((Number(factor) * Number(token.key)).toPrecision(12)));
      result[result.length - 1] = { key, raw: `${previous!.raw} ${token.raw}`, kind: 'number' };
      continue;
    }
    if (
      token.key === 'second' &&
      tokens[i + 1]?.kind === 'word' &&
      previous?.kind !== 'number' &&
      !['a', 'per', 'one'].includes(previous?.key ?? '')
    ) {
      result.push({ key: '2nd', raw: token.raw, kind: 'number' });
      continue;
    }
    if (token.kind === 'time' && previous?.key === '12' && /^(?:noon|midday|midnight)$/i.test(token.raw)) {
      result[result.length - 1] = { ...token, raw: `${previous.raw} ${token.raw}` };
      continue;
    }
    const hour = cardinal(token);
    const partAt = tokens[i + 1]?.key === 'in' ? (tokens[i + 2]?.key === 'the' ? i + 3 : i + 2) : -1;
    const part = partAt > 0 ? DAY_PARTS[tokens[partAt]?.key ?? ''] : undefined;
    if (hour !== undefined && part !== undefined && Number(hour) >= 1 && Number(hour) <= 12) {
      result.push({ key: `${(Number(hour) % 12) + part}:00`, raw: token.raw, kind: 'time' });
      i = partAt;
      continue;
    }
    const monthAt = tokens[i + 1]?.key === 'of' ? i + 2 : i + 1;
    if (hour !== undefined && MONTHS.has(tokens[monthAt]?.key ?? '')) {
      result.push(tokens[monthAt]!, { key: hour, raw: token.raw, kind: 'number' });
      i = monthAt;
      continue;
    }
    if (MONTHS.has(token.key) && cardinal(tokens[i + 1]) !== undefined) {
      result.push(token, { key: cardinal(tokens[i + 1])!, raw: tokens[i + 1]!.raw, kind: 'number' });
      i++;
      continue;
    }
    result.push(token);
  }
  return result;
}

/** Currency signs written before an amount, and the word written after it. */
const CURRENCIES: Readonly<Record<string, string>> = { $: 'dollars', '€': 'euros' };

/** "$1,500,000" → "1500000 dollars", as "1.5 million dollars" reads. */
function rewriteCurrencies(tokens: Token[]): Token[] {
  const result: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const currency = token.kind === 'symbol' ? CURRENCIES[token.key] : undefined;
    const amount = tokens[i + 1];
    if (currency && amount?.kind === 'number' && DECIMAL.test(amount.key)) {
      result.push(amount, { key: currency, raw: token.raw, kind: 'word' });
      i++;
      continue;
    }
    result.push(token);
  }
  return result;
}

/** Tokens of `text` with every equivalent form rewritten to one form. */
export function equivalentForms(text: string): Token[] {
  const expanded: Token[] = [];
  for (const token of tokenize(text)) {
    if (token.kind === 'word') expanded.push(...expandWord(token));
    else expanded.push(token);
  }
  return rewriteCurrencies(rewriteNumbersAndDates(rewritePhrases(expanded)));
}
