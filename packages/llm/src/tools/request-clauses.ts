/**
 * The parts of a request that asks for several things ("look up the Globex contact in the CRM and email her the
 * proposal"): cut where a sentence or clause ends or at a joining word (`and`, `then`, `after that`), keeping the
 * parts that still say something (two words or more that are not function words).
 */
import { searchTerm, splitWords } from './search-terms.js';

const BOUNDARY =
  /\s*[;.!?]+\s+|\s*,\s+(?=and\b|then\b)|\s+(?:and then|and also|and|then|after that|afterwards|also|plus)\s+/i;
const MAX_CLAUSES = 4;

const saysSomething = (clause: string) => splitWords(clause).filter((word) => searchTerm(word) !== null).length >= 2;

/** The request's clauses when it has two or more that say something; otherwise none. */
export function requestClauses(request: string): string[] {
  const clauses = request.split(BOUNDARY).filter(saysSomething);
  return clauses.length >= 2 ? clauses.slice(0, MAX_CLAUSES) : [];
}
