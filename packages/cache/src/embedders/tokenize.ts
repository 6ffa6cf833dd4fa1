/**
 * Splits text into lowercase word tokens the way the GloVe vocabulary was tokenized (Penn Treebank style:
 * "don't" → "do", "n't"; "it's" → "it", "'s"), so contractions and negations find their vectors.
 */
const TOKEN = /n't|'[a-z]+|[a-z]+(?:[-'][a-z]+)*|\d+(?:[.,:]\d+)*|[$€£%#@&]/g;

export function wordTokens(text: string): string[] {
  const lowered = text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/n't\b/g, " n't")
    .replace(/'(s|re|ve|ll|d|m)\b/g, " '$1");
  return lowered.match(TOKEN) ?? [];
}
