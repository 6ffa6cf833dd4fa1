/**
 * Everyday synonyms that word vectors place no closer than co-hyponyms (parcel/package 0.35, gift/present 0.36,
 * while chicken/tomato is 0.71). The content-word alignment accepts a pair from one group regardless of its vectors.
 * Groups hold true synonyms in the senses support and assistant questions use; antonyms never share a group.
 * Words listed under one sense of a contrast group (enable, activate, turn on) count as synonyms too.
 */
import { CONTRAST_GROUPS } from './contrast-terms.js';

const GROUPS = [
  'price, cost, fee, charge, pricing, costs',
  'fix, repair, solve, resolve, troubleshoot, mend',
  'remove, delete, erase, clear, eliminate, wipe',
  'buy, purchase, bought, purchased',
  'change, modify, alter, update, edit, adjust, switch',
  'start, begin, launch, commence, initiate',
  'stop, halt, end, terminate, quit',
  'big, large, huge, biggest, largest',
  'small, little, tiny, smallest',
  'fast, quick, rapid, quickly, speedy, fastest, quickest, faster, quicker',
  'easy, simple, straightforward, easiest, simplest, easier, simpler',
  'hard, difficult, tough',
  'cheap, inexpensive, affordable, cheapest, cheaper, budget',
  'contact, reach, call',
  'parcel, package, shipment',
  'gift, present',
  'coworker, colleague, coworkers, colleagues',
  'phone, smartphone, mobile, cellphone',
  'photo, picture, image, pic, photograph',
  'movie, film',
  'car, vehicle, automobile',
  'doctor, physician',
  'shop, store',
  'get, obtain, receive, acquire, gets',
  'choose, pick, select',
  'need, require, needed, required',
  'damaged, broken',
  'typical, average, usual, normal, regular',
  'error, mistake',
  'trip, journey',
  'combine, merge, join',
  'recover, restore, retrieve',
  'refund, reimbursement',
  'vacation, holiday, holidays, vacations',
  'annual, yearly, annually',
  'ship, deliver, shipping, delivery',
  'resume, cv',
  'promo, discount, coupon, voucher',
  'sign, log',
  'bill, billing, invoice',
  'speak, talk, chat',
  'show, display',
  'make, build, construct, create',
  'way, method, approach, technique',
  'difference, different, differ, compare, comparison, versus, vs',
  'check, view, see, look',
];

const groupsOf = new Map<string, Set<number>>();
const senses = [
  ...GROUPS.map((group) => group.split(',').map((word) => word.trim())),
  ...CONTRAST_GROUPS.flatMap((group) => group.senses.map((sense) => sense.words.filter((w) => !w.includes(' ')))),
];
senses.forEach((words, index) => {
  for (const word of words) {
    const set = groupsOf.get(word) ?? new Set<number>();
    set.add(index);
    groupsOf.set(word, set);
  }
});

/** True when two lowercase words share a synonym group or one sense of a contrast group (enable/activate). */
export function areSynonyms(a: string, b: string): boolean {
  const groups = groupsOf.get(a);
  if (!groups) return false;
  for (const index of groupsOf.get(b) ?? []) if (groups.has(index)) return true;
  return false;
}
