/**
 * Groups of mutually exclusive terms: polarity pairs (enable/disable, paid/unpaid, pros/cons, buy/sell, …) and
 * intents that word vectors place close together (cancel/renew, reset/change, why/where). Two texts that use
 * different senses of one group ask different things, however similar their embeddings.
 * Each group is a list of senses separated by `|`; each sense lists words or phrases separated by `,` (singular forms:
 * plural, past and gerund forms are matched too).
 */
const GROUPS = [
  'enable, activate, turn on, switch on, enabled | disable, deactivate, turn off, switch off',
  'paid | unpaid, free',
  'pros, advantages, benefits, upsides | cons, disadvantages, drawbacks, downsides',
  'buy, purchase, bought | sell, sold',
  'increase, raise, grow, boost, speed up | decrease, reduce, lower, shrink, cut, slow down',
  'before, prior to | after',
  'min, minimum, smallest, lowest, least, shortest | max, maximum, largest, biggest, highest, most, longest',
  'open | close',
  'start, begin, launch | stop, halt',
  'add, insert, create | remove, delete, erase, drop',
  'upload | download',
  'import | export',
  'include | exclude',
  'accept, approve | reject, decline, deny',
  'allow, permit, whitelist | block, forbid, ban, blacklist',
  'encrypt | decrypt',
  'login, log in, sign in | logout, log out, sign out',
  'subscribe, sign up | unsubscribe',
  'install | uninstall',
  'lock | unlock',
  'show, unhide | hide',
  'upgrade | downgrade',
  'input | output',
  'inbound, incoming | outbound, outgoing',
  'send, sent | receive, received',
  'profit | loss',
  'positive | negative',
  'high | low',
  'more | less, fewer',
  'best, better | worst, worse',
  'good | bad',
  'up | down',
  'fast, faster, fastest, quick, quickly | slow, slower, slowest, slowly',
  'cheap, cheaper, cheapest, inexpensive, affordable | expensive, pricier, costly',
  'hot, warm | cold',
  'north | south',
  'east | west',
  'debit | credit',
  'deposit | withdraw, withdrawal',
  'ascending | descending',
  'public | private',
  'internal | external',
  'client, frontend | server, backend',
  'read | write',
  'push | pull',
  'merge | split',
  'join | leave',
  'arrive, arrival | depart, departure',
  'true | false',
  'valid | invalid',
  'legal | illegal',
  'possible | impossible',
  'available | unavailable',
  'connect | disconnect',
  'compress, zip | decompress, unzip',
  'encode | decode',
  'serialize | deserialize',
  'mount | unmount',
  'follow | unfollow',
  'block | unblock',
  'pin | unpin',
  'archive | unarchive',
  'succeed, success, successful | fail, failure, failed',
  'online | offline',
  'inside, indoor, indoors | outside, outdoor, outdoors',
  'male, man, men | female, woman, women',
  'adult, adults | child, children, kid, kids',
  'above | below',
  'early, earlier | late, later',
  'light | dark',
  'mac, macos | windows | linux | ios | android',
  'cancel, terminate | renew | pause, suspend, freeze | resume, reactivate | track | transfer | refund | exchange',
  'reset | change, update, modify, edit',
  'why | when, what time | where | who | how long | how old',
  'hour, hours, hourly | day, days, daily | week, weeks, weekly | month, months, monthly | year, years, yearly, annual, annually',
  'minute, minutes | second, seconds',
  'celsius | fahrenheit',
  'kilometer, kilometre, km | mile',
  'kilogram, kilo, kg | pound, lb, lbs',
  'gram | ounce, oz',
  'liter, litre, milliliter, ml | gallon | quart | pint',
  'teaspoon, tsp | tablespoon, tbsp',
  'mph | kph',
  'inch | centimeter, centimetre, cm',
  'foot, feet | meter, metre',
  'dollar, usd | euro, eur | pound sterling, gbp | yen',
  'breakfast | lunch | dinner',
  'vegan | vegetarian',
  'rent | own',
  'import tax | export tax',
];

export interface ContrastGroup {
  readonly senses: readonly { readonly label: string; readonly words: readonly string[]; readonly pattern: RegExp }[];
}

/** Inflected forms of one word: s/es/ed/d/ing, with the final e dropped and the last consonant doubled. */
function forms(word: string): string {
  const stem = word.endsWith('e') ? word.slice(0, -1) : word;
  const last = word.at(-1)!;
  return `(?:${word}(?:s|es|d|ed)?|${stem}(?:ing|ed)|${word}${last}(?:ed|ing))`;
}

function phrasePattern(phrase: string): string {
  return phrase
    .split(/\s+/)
    .map((word, index, words) =>
      index === words.length - 1 || words.length === 1 ? forms(word) : `${word}(?:s|ed|ing)?`,
    )
    .join('\\s+');
}

export const CONTRAST_GROUPS: readonly ContrastGroup[] = GROUPS.map((group) => ({
  senses: group.split('|').map((sense) => {
    const phrases = sense.split(',').map((phrase) => phrase.trim());
    return {
      label: phrases[0]!,
      words: phrases,
      pattern: new RegExp(`\\b(?:${phrases.map(phrasePattern).join('|')})\\b`, 'i'),
    };
  }),
}));

/** For two-sense groups: "less X" / "least X" means the other sense ("least expensive" → "cheap"). */
const DIMINISHED = CONTRAST_GROUPS.filter((group) => group.senses.length === 2).flatMap((group) =>
  group.senses.map((sense, index) => ({
    pattern: new RegExp(`\\b(?:less|least)\\s+${sense.pattern.source}`, 'gi'),
    replacement: group.senses[1 - index]!.label,
  })),
);

/** Every DIMINISHED pattern starts with this: texts without it are left alone without running them. */
const LESS = /\b(?:less|least)\s/i;

/**
 * Rewrites "less/least" + a term into the opposite term, so "least expensive" agrees with "cheapest" instead of
 * tripping both the cheap/expensive and the min/max groups.
 */
export function normalizeComparatives(text: string): string {
  if (!LESS.test(text)) return text;
  let result = text;
  for (const { pattern, replacement } of DIMINISHED) result = result.replace(pattern, replacement);
  return result;
}
