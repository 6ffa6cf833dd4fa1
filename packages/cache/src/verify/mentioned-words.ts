/**
 * Words a prompt asks about rather than with, unquoted: the plural of mouse, how to spell colour, what NYC stands for,
 * how many letters are in twelve, a synonym for big, what ephemeral means, translating kids into French. There the
 * word itself is the question, so it is compared as written (in any case), as a quoted word is: folding "mice" into
 * "mouse", "colour" into "color" or "NYC" into "New York City" — right where a word is used — would serve the answer
 * about another word.
 */

/** A word as prompts write it: letters, digits, an apostrophe or a hyphen inside. */
const WORD = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}'’-]*[\p{L}\p{N}])?`;
/** One to four words, as few as the pattern's next part allows. */
const WORDS = String.raw`${WORD}(?:\s+${WORD}){0,3}?`;
const THE_WORD = String.raw`(?:(?:the\s+)?(?:word|term|name|phrase|abbreviation|acronym)\s+)?`;

/** Each pattern's group 1 is what is asked about. */
const PATTERNS: readonly RegExp[] = [
  // The word after: "plural of mouse", "a synonym for big", "rhymes with hello", "how do you spell colour".
  new RegExp(
    String.raw`\b(?:plural|singular|past\s+tense|past\s+participle|present\s+participle|gerund|synonyms?|antonyms?|opposite|spelling|pronunciation|meaning|definition|etymology|abbreviation|acronym|anagrams?)\s+(?:of|for)\s+${THE_WORD}(${WORD})`,
    'giu',
  ),
  new RegExp(
    String.raw`\b(?:rhymes?\s+(?:with|for)|spell|pronounce|define|conjugate|capitali[sz]e)\s+${THE_WORD}(${WORD})`,
    'giu',
  ),
  new RegExp(
    String.raw`\b(?:letters|characters|syllables|vowels|consonants)\s+(?:are\s+)?(?:there\s+)?in\s+${THE_WORD}(${WORD})`,
    'giu',
  ),
  // The words before: "NYC stand for", "is definately spelled right", "is can't a contraction", "what does X mean".
  new RegExp(String.raw`\bdoes\s+(${WORDS})\s+stand\s+for\b`, 'giu'),
  new RegExp(String.raw`(?:^|[^\p{L}\p{N}])(${WORD})\s+(?:stands|is\s+short)\s+for\b`, 'giu'),
  new RegExp(String.raw`\bis\s+(${WORDS})\s+(?:spelled|spelt|written)\b`, 'giu'),
  new RegExp(
    String.raw`\bis\s+(${WORDS})\s+an?\s+(?:real\s+|proper\s+|valid\s+)?(?:word|contraction|noun|verb|adjective|adverb|abbreviation|acronym)\b`,
    'giu',
  ),
  new RegExp(String.raw`\bwhat\s+does\s+(${WORDS})\s+mean\b`, 'giu'),
  new RegExp(String.raw`\btranslate\s+(${WORDS})\s+(?:in)?to\b`, 'giu'),
  new RegExp(String.raw`\bhow\s+(?:do|would|can)\s+(?:you|i|we)\s+say\s+(${WORDS})\s+in\b`, 'giu'),
];

/** Words that point at something said before ("spell it out"), not at a word. */
const POINTERS = new Set(['it', 'this', 'that', 'these', 'those', 'them', 'me', 'you', 'us', 'him', 'her']);

/** What `text` asks about, each in lower case, in the order found. */
export function mentionedWords(text: string): string[] {
  const found: string[] = [];
  for (const pattern of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const words = match[1]?.toLowerCase().replace(/\s+/gu, ' ');
      if (words !== undefined && !POINTERS.has(words)) found.push(words);
    }
  }
  return found;
}
