/**
 * Contractions and their full forms. A contraction is another way to write the same words, so it is expanded before
 * anything is compared ("can't" → "can not", "what's" → "what is"). Forms written without the apostrophe are listed
 * only when they are not also an ordinary word ("cant" yes, "wont", "ill", "its" no).
 */
export const CONTRACTIONS: Readonly<Record<string, string>> = {
  "can't": 'can not',
  cannot: 'can not',
  cant: 'can not',
  "won't": 'will not',
  "shan't": 'shall not',
  "ain't": 'is not',
  "let's": 'let us',
  "y'all": 'you all',
  "i'm": 'i am',
  im: 'i am',
  dont: 'do not',
  doesnt: 'does not',
  didnt: 'did not',
  isnt: 'is not',
  arent: 'are not',
  wasnt: 'was not',
  werent: 'were not',
  havent: 'have not',
  hasnt: 'has not',
  hadnt: 'had not',
  couldnt: 'could not',
  shouldnt: 'should not',
  wouldnt: 'would not',
  whats: 'what is',
  thats: 'that is',
  theres: 'there is',
  hows: 'how is',
  wheres: 'where is',
  whos: 'who is',
  youre: 'you are',
  theyre: 'they are',
  ive: 'i have',
  gonna: 'going to',
  wanna: 'want to',
  gotta: 'got to',
};

/** Suffix contractions: "n't" → "not", "'re" → "are" … ("'s" is decided by the word before it). */
export const CONTRACTION_SUFFIXES: readonly (readonly [string, string])[] = [
  ["n't", 'not'],
  ["'re", 'are'],
  ["'m", 'am'],
  ["'ve", 'have'],
  ["'ll", 'will'],
  ["'d", 'would'],
];

/** Words after which "'s" means "is" rather than a possessive ("what's", "it's", "there's"). */
export const IS_AFTER: ReadonlySet<string> = new Set(
  'what where who how when why it that there here he she this which'.split(' '),
);
