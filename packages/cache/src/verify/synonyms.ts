/**
 * Everyday synonyms in the senses support and assistant questions use, for when WordNet is not installed or ranks
 * the sense as rare (parcel/package, gift/present, benefit/advantage). The content-word alignment accepts a pair
 * from one group as it accepts a WordNet synonym. A group holds words that mean the same thing — never antonyms,
 * and never words that merely share a pole of a contrast group (highest and longest are both "max", not synonyms).
 * Words are compared by stem, so a group's inflections (benefits, deactivated) belong to it too.
 */
import { stem } from './content-words.js';

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
  'enable, activate, enabled, activated',
  'disable, deactivate, disabled, deactivated',
  'advantage, benefit, upside, pro',
  'disadvantage, drawback, downside, con',
];

const groupsOf = new Map<string, Set<number>>();
const senses = GROUPS.map((group) => group.split(',').map((word) => word.trim()));
senses.forEach((words, index) => {
  for (const word of words) {
    const set = groupsOf.get(stem(word)) ?? new Set<number>();
    set.add(index);
    groupsOf.set(stem(word), set);
  }
});

/** True when two lowercase words share a synonym group. */
export function areSynonyms(a: string, b: string): boolean {
  const groups = groupsOf.get(stem(a));
  if (!groups) return false;
  for (const index of groupsOf.get(stem(b)) ?? []) if (groups.has(index)) return true;
  return false;
}
