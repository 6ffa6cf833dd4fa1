/**
 * Who did what to whom, which a bag of words cannot see: "did Germany beat Argentina" and "did Argentina beat
 * Germany" hold the same words and embed identically. The roles differ when, around a word both texts share (the
 * pivot, here "beat"), one shared word moves from before it to after it while another moves the other way.
 * Moving a whole phrase ("in Excel, how do I freeze the top row" / "how do I freeze the top row in Excel") moves
 * words to one side only, so reordering alone is never refused.
 */
import { contentWords, stem } from './content-words.js';

export interface RoleSwap {
  pivot: string;
  /** Before the pivot in the query, after it in the candidate. */
  movedAfter: string;
  /** After the pivot in the query, before it in the candidate. */
  movedBefore: string;
}

export type RolePositions = ReadonlyMap<string, { word: string; index: number }>;

/** Stems of the content words, each with the position of its only occurrence; repeated stems are left out. */
export function rolePositions(text: string): RolePositions {
  const words = contentWords(text);
  const found = new Map<string, { word: string; index: number }>();
  const repeated = new Set<string>();
  words.forEach((word, index) => {
    const key = stem(word);
    if (found.has(key)) repeated.add(key);
    found.set(key, { word, index });
  });
  for (const key of repeated) found.delete(key);
  return found;
}

/**
 * The first pivot around which two shared words trade sides, or undefined when the roles agree.
 * @example
 * findRoleSwap(rolePositions('do sharks eat dolphins'), rolePositions('do dolphins eat sharks'));
 * // → { pivot: 'eat', movedAfter: 'sharks', movedBefore: 'dolphins' }
 */
export function findRoleSwap(a: RolePositions, b: RolePositions): RoleSwap | undefined {
  const shared = [...a.keys()].filter((key) => b.has(key));
  if (shared.length < 3) return undefined;
  for (const pivot of shared) {
    const pa = a.get(pivot)!.index;
    const pb = b.get(pivot)!.index;
    const movedAfter = shared.find((key) => a.get(key)!.index < pa && b.get(key)!.index > pb);
    const movedBefore = shared.find((key) => a.get(key)!.index > pa && b.get(key)!.index < pb);
    if (movedAfter !== undefined && movedBefore !== undefined) {
      return { pivot: a.get(pivot)!.word, movedAfter: a.get(movedAfter)!.word, movedBefore: a.get(movedBefore)!.word };
    }
  }
  return undefined;
}
