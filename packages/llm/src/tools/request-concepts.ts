/**
 * Everyday words of a request and the words tools of that kind are described with: "will I need an umbrella" asks
 * for the weather, "put it on my agenda" for a calendar, "ring the customer" for a call, "locate every .psd file" for a
 * search, "shut down the VM" to stop it. Neither BM25 nor the offline word vectors (news text, where an umbrella is an
 * organisation) make these links, so tool search adds the tool-side words of every concept a request signals to its
 * lexical query, at a lower weight than the request's own words.
 *
 * Each group is general to its kind of tool or action, not to one product or one labelled set. A signal is a word that
 * asks for that kind in (almost) every sense it has once stemmed — so not `shares` (it stems to `share`, a verb of
 * every file and social tool), `booked` (`book` a table, a flight), `drive` and `driving` (one stem, and Google Drive),
 * `track` (a parcel), `warm` (a thermostat), `phone` (a number to text), `temperature` (what weather and thermostat
 * tools both say), `online` (look up online, buy online), `google` (a brand of mail, drive and calendar tools as much
 * as of search), `stock` (shares, and what a shop has left), `open` (a file to read, a pull request to create, a door),
 * `meaning` (it stems to `mean`, an average) or `staged` (it stems to `stage`, as `staging` does, an environment).
 */
import { searchTerm } from './search-terms.js';

const CONCEPT_GROUPS: readonly { signals: string; adds: string }[] = [
  {
    signals:
      'umbrella rain raining rainy sunny sunshine snow snowing hot cold chilly freezing humid humidity windy storm stormy jacket coat sunscreen drizzle heatwave',
    adds: 'weather forecast temperature',
  },
  {
    signals: 'agenda schedule busy appointment appointments meeting meetings diary availability reschedule postpone',
    adds: 'calendar event',
  },
  { signals: 'remind reminder nudge', adds: 'reminder' },
  { signals: 'todo todos chores errand errands checklist', adds: 'task todo' },
  { signals: 'sms txt texting', adds: 'sms message' },
  { signals: 'ring dial rang', adds: 'call phone' },
  { signals: 'inbox mail mailbox newsletter', adds: 'email' },
  {
    signals: 'song songs album albums playlist playlists music tune tunes band jazz podcast',
    adds: 'music play song playlist',
  },
  { signals: 'draw drawing illustration illustrate logo sketch painting artwork', adds: 'image generate' },
  {
    signals: 'japanese french spanish german italian chinese portuguese korean arabic russian dutch hindi',
    adds: 'translate language',
  },
  { signals: 'bill billing invoice charge', adds: 'invoice payment' },
  { signals: 'ticker nasdaq', adds: 'stock price quote' },
  { signals: 'bitcoin btc ethereum eth dogecoin solana', adds: 'crypto cryptocurrency price' },
  { signals: 'spend spent spending', adds: 'transactions expenses' },
  { signals: 'walk walking commute transit route transport', adds: 'directions route' },
  { signals: 'nearby nearest closest cafe cafes coffee restaurant restaurants', adds: 'places nearby' },
  { signals: 'coordinates latitude longitude lat lng gps', adds: 'geocode coordinates' },
  { signals: 'stay accommodation airbnb hostel lodging', adds: 'hotel' },
  { signals: 'uncommitted unstaged', adds: 'status diff git' },
  { signals: 'bug bugs', adds: 'issue' },
  { signals: 'basket cart', adds: 'cart product' },
  { signals: 'oncall outage', adds: 'incident alert' },
  { signals: 'reachable responding', adds: 'uptime check status' },
  // `writedown`, `notedown`: "write down", "note down", joined by request-compounds.ts.
  { signals: 'jot writedown notedown', adds: 'note' },
  { signals: 'replicas', adds: 'scale kubernetes' },
  { signals: 'pod pods', adds: 'kubernetes' },
  { signals: 'repo repos', adds: 'repository' },
  { signals: 'tweet tweets twitter', adds: 'twitter post' },
  { signals: 'voicemail recording audio dictation', adds: 'speech audio transcribe' },
  { signals: 'folder downloads desktop', adds: 'directory files' },
  // What to do, in the verbs tools are named with: `locate` a file is to search for it, `wipe` a disk to delete.
  { signals: 'locate seek hunt', adds: 'search find' },
  { signals: 'erase wipe purge trash discard', adds: 'delete remove' },
  { signals: 'modify edit alter rename', adds: 'update edit' },
  { signals: 'boot', adds: 'start' },
  { signals: 'shut shutdown halt', adds: 'stop' },
  { signals: 'finished tick', adds: 'complete done' },
  { signals: 'reserve reservation', adds: 'book' },
  { signals: 'prepare', adds: 'draft' },
  // Phrasal verbs, joined by request-compounds.ts: "spin up a VM", "tear down the stack", "sign her up".
  { signals: 'spinup fireup bootup', adds: 'start create launch' },
  { signals: 'teardown', adds: 'delete remove' },
  { signals: 'signup', adds: 'subscribe subscription create' },
  { signals: 'lookup', adds: 'search find' },
  { signals: 'setup', adds: 'create' },
  { signals: 'calloff', adds: 'cancel' },
  { signals: 'kickoff', adds: 'start' },
  { signals: 'blockoff blockout', adds: 'calendar event' },
  { signals: 'putoff pushback', adds: 'reschedule update' },
  { signals: 'rollback', adds: 'revert rollback' },
  { signals: 'definition', adds: 'define dictionary' },
  { signals: 'picture pictures photo photos pic pics photograph', adds: 'image photo' },
  { signals: 'parcel courier', adds: 'shipment track' },
  { signals: 'payslip paystub paycheck salary wage wages', adds: 'payroll payslip pay' },
  { signals: 'database sql db', adds: 'database sql' },
];

/** Stemmed signal → the words it adds. */
const ADDS_BY_SIGNAL: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const group of CONCEPT_GROUPS) {
    const adds = group.adds.split(' ');
    for (const word of group.signals.split(' ')) {
      const term = searchTerm(word);
      if (term !== null) map.set(term, [...new Set([...(map.get(term) ?? []), ...adds])]);
    }
  }
  return map;
})();

/** Function words, left out of the index terms, that still say what to do: "show me the contract" asks to read it. */
const ADDS_BY_FUNCTION_WORD: ReadonlyMap<string, readonly string[]> = new Map([['show', ['read']]]);

/**
 * The words the concepts of a request's index terms (`searchTerms`, and `compoundTerms`) and of its raw words
 * (`splitWords`, for the function words that signal) signal, none it already holds, in the order found.
 *
 * @example
 * conceptWords(searchTerms('Will I need an umbrella in Porto?')); // ['weather', 'forecast', 'temperature']
 */
export function conceptWords(terms: ReadonlySet<string>, words: readonly string[] = []): string[] {
  const added = new Set<string>();
  const signalled = [
    ...[...terms].map((term) => ADDS_BY_SIGNAL.get(term)),
    ...words.map((word) => ADDS_BY_FUNCTION_WORD.get(word)),
  ];
  for (const adds of signalled) {
    for (const word of adds ?? []) {
      if (!terms.has(searchTerm(word) ?? word)) added.add(word);
    }
  }
  return [...added];
}
