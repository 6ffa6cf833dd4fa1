/**
 * Pulls out of a text the facts that must agree between a query and a cached question before the cached answer may
 * be served: numbers, identifiers, dates and times, named entities, negation, and the words present.
 * Identifiers and dates are masked before numbers are read, so `ORD-1234` is one identifier, not the number 1234.
 */
const WORD_NUMBERS: Record<string, string> = {
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
  dozen: '12',
  first: '1',
  second: '2',
  third: '3',
  fourth: '4',
  fifth: '5',
  tenth: '10',
  half: '0.5',
  twice: '2',
  double: '2',
  triple: '3',
};
const SUFFIX_MULTIPLIERS: Record<string, number> = { k: 1e3, m: 1e6, mm: 1e6, bn: 1e9, b: 1e9 };

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_ABBREVIATIONS: Record<string, string> = {
  jan: 'january',
  feb: 'february',
  mar: 'march',
  apr: 'april',
  jun: 'june',
  jul: 'july',
  aug: 'august',
  sep: 'september',
  sept: 'september',
  oct: 'october',
  nov: 'november',
  dec: 'december',
};
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const RELATIVE_DAYS = [
  'today',
  'tonight',
  'tomorrow',
  'yesterday',
  'weekend',
  'weekday',
  'morning',
  'afternoon',
  'evening',
  'overnight',
  'summer',
  'winter',
  'autumn',
  'noon',
  'midnight',
];
const RELATIVE_MODIFIERS: Record<string, string> = {
  this: 'this',
  next: 'next',
  coming: 'next',
  upcoming: 'next',
  last: 'last',
  past: 'last',
  previous: 'last',
};
const PERIODS = ['week', 'month', 'year', 'quarter', 'weekend', 'night', ...WEEKDAYS, ...MONTHS];

const NEGATIONS = new Set([
  'not',
  "n't",
  'no',
  'never',
  'without',
  'none',
  'nobody',
  'nothing',
  'nowhere',
  'neither',
  'nor',
  'cannot',
  'unable',
]);

/** Capitalized words that commonly open a sentence without being names. */
const SENTENCE_STARTERS = new Set(
  (
    "a an the i im i'm my me we our you your it its is are was were be am do does did done can could would should will " +
    "shall may might must has have had how what whats what's which who whom whose why when where whether if is there " +
    'please pls hi hello hey thanks thank ok okay so and but or also then now just tell show give list explain describe ' +
    'summarize summarise write find get make help compare translate convert calculate check create generate suggest ' +
    'recommend define name any anything some someone this that these those here in on at for from to of with by about ' +
    "after before during best top good quick simple easy need want looking i'd i've let let's lets walk guide " +
    "where's who's how's why's when's is it's isn't aren't don't doesn't can't cant dont whats hows " +
    'yes no not all every each one two few many much more most other another such same as than very really ' +
    'set use using update change reset delete remove add cancel enable disable turn open close start stop send ' +
    'steps ways way tips fix repair solve troubleshoot debug install uninstall configure setup build run deploy ' +
    'read view see look search sort filter export import download upload book order buy sell pay track return ' +
    'share sign log connect move copy rename edit save print schedule plan prepare cook clean keep stay go come ' +
    "should've could've would've i'll we're they you're they're he she his her their them us our ours " +
    'wondering curious question quick okay alright sorry excuse dear team folks everyone teach walk remind draft ' +
    'compose outline brainstorm proofread rewrite rephrase recommend suggest'
  ).split(/\s+/),
);

export interface TextFeatures {
  readonly numbers: readonly string[];
  readonly identifiers: readonly string[];
  readonly dates: readonly string[];
  /** Names as written, lowercased: capitalized words that do not open a sentence, acronyms, rare sentence openers. */
  readonly entities: readonly string[];
  readonly negations: readonly string[];
  /** Every lowercase word of the text, with possessives stripped. */
  readonly words: ReadonlySet<string>;
}

const IDENTIFIER_PATTERNS: RegExp[] = [
  /\bhttps?:\/\/\S+/gi,
  /\b[\w.+-]+@[\w-]+\.[\w.]+\b/g,
  /\bv\d+(?:\.\d+)*(?:-[\w.]+)?\b/gi,
  /\b\d+(?:\.\d+){2,}(?:-[\w.]+)?\b/g,
  /#\d+\b/g,
  /\b[\w-]+\.(?:ts|js|mjs|py|json|ya?ml|md|txt|csv|pdf|docx?|xlsx?|png|jpe?g|sh|go|rs|java|cpp|html|css|sql|toml|env|log)\b/gi,
  /\b[a-z]+(?:_[a-z0-9]+)+\b/g,
  /\b[a-z]+[A-Z][A-Za-z0-9]*\b/g,
  /\b(?!\d+(?:\.\d+)?(?:k|m|mm|bn|b|st|nd|rd|th|s|x)\b)(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b/g,
  /\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b/g,
];

const DATE_PATTERNS: { pattern: RegExp; normalize: (match: RegExpExecArray) => string }[] = [
  { pattern: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g, normalize: (m) => `${m[1]}-${Number(m[2])}-${Number(m[3])}` },
  {
    pattern: /(?<![\w.])(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?(?![\w.])/g,
    normalize: (m) => `${Number(m[1])}/${Number(m[2])}${m[3] ? `/${m[3]}` : ''}`,
  },
  {
    pattern: /(?<![\w.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\w.])/g,
    normalize: (m) => `${Number(m[1])}/${Number(m[2])}/${m[3]}`,
  },
  {
    pattern: /\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?\b/gi,
    normalize: (m) => `${(Number(m[1]) % 12) + (m[3]!.toLowerCase() === 'p' ? 12 : 0)}:${m[2] ?? '00'}`,
  },
  { pattern: /\b(\d{1,2}):(\d{2})\b/g, normalize: (m) => `${Number(m[1])}:${m[2]}` },
  {
    pattern: new RegExp(`\\b(this|next|coming|upcoming|last|past|previous)\\s+(${PERIODS.join('|')})s?\\b`, 'gi'),
    normalize: (m) => `${RELATIVE_MODIFIERS[m[1]!.toLowerCase()]} ${m[2]!.toLowerCase()}`,
  },
  {
    pattern: new RegExp(`\\b(${[...WEEKDAYS, ...MONTHS, ...RELATIVE_DAYS].join('|')})s?\\b`, 'gi'),
    normalize: (m) => m[1]!.toLowerCase(),
  },
  {
    pattern: new RegExp(`\\b(${Object.keys(MONTH_ABBREVIATIONS).join('|')})\\.?(?=\\s*\\d)`, 'gi'),
    normalize: (m) => MONTH_ABBREVIATIONS[m[1]!.toLowerCase()]!,
  },
  { pattern: /(?<![.!?]\s|^)\bMay\b|\bmay(?=\s+\d)/g, normalize: () => 'may' },
  { pattern: /\bQ([1-4])\b/g, normalize: (m) => `q${m[1]}` },
];

function mask(text: string, start: number, length: number): string {
  return text.slice(0, start) + ' '.repeat(length) + text.slice(start + length);
}

function takeAll(text: string, pattern: RegExp, normalize: (m: RegExpExecArray) => string) {
  const found: string[] = [];
  let rest = text;
  for (const match of text.matchAll(pattern)) {
    found.push(normalize(match as RegExpExecArray));
    rest = mask(rest, match.index!, match[0].length);
  }
  return { found, rest };
}

function readNumbers(text: string): { numbers: string[]; rest: string } {
  const numbers: string[] = [];
  let rest = text;
  const suffixed = takeAll(rest, /\b(\d+(?:\.\d+)?)\s?(k|m|mm|bn|b)\b/gi, (m) =>
    String(Number(m[1]) * SUFFIX_MULTIPLIERS[m[2]!.toLowerCase()]!),
  );
  numbers.push(...suffixed.found);
  rest = suffixed.rest;
  const plain = takeAll(rest, /\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th)?/g, (m) =>
    String(Number(m[0].replace(/,/g, '').replace(/(st|nd|rd|th)$/, ''))),
  );
  numbers.push(...plain.found);
  rest = plain.rest;
  const words = takeAll(
    rest,
    new RegExp(`\\b(${Object.keys(WORD_NUMBERS).join('|')})\\b`, 'gi'),
    (m) => WORD_NUMBERS[m[1]!.toLowerCase()]!,
  );
  numbers.push(...words.found);
  return { numbers, rest: words.rest };
}

function readEntities(text: string): string[] {
  const entities: string[] = [];
  const words = [...text.matchAll(/[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]/g)];
  const letters = words.filter((w) => /^[A-Z]/.test(w[0])).length;
  const titleCase = words.length >= 4 && letters / words.length > 0.6;
  for (const match of words) {
    const word = match[0].replace(/['’]s$/, '').replace(/\./g, '');
    const before = text.slice(0, match.index!).trimEnd();
    const opensSentence = before === '' || /[.!?:;\n"“(]$/.test(before);
    const lower = word.toLowerCase();
    if (/^[A-Z]{2,}$/.test(word) && !titleCase) entities.push(lower);
    else if (/^[A-Z]/.test(word) && !/^I(?:'[a-z]+)?$/.test(word) && !titleCase) {
      if (!opensSentence || !SENTENCE_STARTERS.has(lower)) entities.push(lower);
    }
  }
  return entities;
}

export function extractFeatures(text: string): TextFeatures {
  // "Good morning!" greets; it does not ask about the morning.
  const normalized = text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\bgood\s+(?:morning|afternoon|evening)\b/gi, 'hello');
  let rest = normalized;
  const dates: string[] = [];
  for (const { pattern, normalize } of DATE_PATTERNS.slice(0, 5)) {
    const result = takeAll(rest, pattern, normalize);
    dates.push(...result.found);
    rest = result.rest;
  }
  const identifiers: string[] = [];
  for (const pattern of IDENTIFIER_PATTERNS) {
    const result = takeAll(rest, pattern, (m) => m[0].toLowerCase().replace(/^v(?=\d)/, ''));
    identifiers.push(...result.found);
    rest = result.rest;
  }
  for (const { pattern, normalize } of DATE_PATTERNS.slice(5)) {
    const result = takeAll(rest, pattern, normalize);
    dates.push(...result.found);
    rest = result.rest;
  }
  const { numbers, rest: withoutNumbers } = readNumbers(rest);
  const lowerTokens =
    normalized
      .toLowerCase()
      .replace(/n't\b/g, " n't")
      .match(/n't|[a-z0-9]+(?:['’.-][a-z0-9]+)*/g) ?? [];
  const words = new Set(lowerTokens.map((token) => token.replace(/['’]s$/, '').replace(/\./g, '')));
  return {
    numbers,
    identifiers,
    dates,
    entities: readEntities(withoutNumbers),
    negations: lowerTokens.filter((token) => NEGATIONS.has(token)),
    words,
  };
}
