/**
 * Deterministic synthetic prompts for the cache bench: templates × products × numbers give distinct prompts, and each
 * has a paraphrase (another wording, same product and number) that the semantic tier should answer.
 */

const TEMPLATES: [string, string][] = [
  ['How much does the {p} plan cost for {n} users?', 'What is the price of the {p} plan for {n} users?'],
  ['How do I fix the {p} error after {n} retries?', 'How do I repair the {p} error after {n} retries?'],
  ['Can I upgrade the {p} account to {n} seats?', 'Is it possible to upgrade the {p} account to {n} seats?'],
  ['How long does shipping of {n} {p} boxes take?', 'How much time does shipping of {n} {p} boxes take?'],
  ['What is the warranty on {n} {p} devices?', 'What warranty do {n} {p} devices have?'],
  ['How do I reset the {p} router after {n} failed logins?', 'How can I reset the {p} router after {n} failed logins?'],
  ['Where can I buy {n} {p} licenses?', 'Where do I purchase {n} {p} licenses?'],
  ['Why is the {p} dashboard slow with {n} widgets?', 'Why is the {p} dashboard so slow with {n} widgets?'],
  ['How do I export {n} {p} reports to a spreadsheet?', 'How can I export {n} {p} reports to a spreadsheet?'],
  ['What happens when the {p} quota passes {n} requests?', 'What happens if the {p} quota goes past {n} requests?'],
];

const PRODUCTS = [
  'starter',
  'premium',
  'business',
  'enterprise',
  'student',
  'family',
  'travel',
  'cloud',
  'storage',
  'backup',
  'analytics',
  'security',
  'payroll',
  'billing',
  'marketing',
  'support',
  'mobile',
  'desktop',
  'gaming',
  'music',
  'video',
  'photo',
  'fitness',
  'health',
  'finance',
  'insurance',
  'energy',
  'solar',
  'garden',
  'kitchen',
  'office',
  'school',
  'library',
  'museum',
  'hotel',
  'airline',
  'railway',
  'taxi',
  'parking',
  'delivery',
  'grocery',
  'pharmacy',
  'bakery',
  'coffee',
  'pizza',
  'wine',
  'fashion',
  'jewelry',
  'furniture',
  'hardware',
];

const numberAt = (i: number) => 2 + i * 7;

/** The i-th stored prompt (i < templates × products × numbersPerPair). */
export function promptAt(i: number): { stored: string; paraphrase: string } {
  const [stored, paraphrase] = TEMPLATES[i % TEMPLATES.length]!;
  const product = PRODUCTS[Math.floor(i / TEMPLATES.length) % PRODUCTS.length]!;
  const n = String(numberAt(Math.floor(i / (TEMPLATES.length * PRODUCTS.length))));
  const fill = (text: string) => text.replace('{p}', product).replace('{n}', n);
  return { stored: fill(stored), paraphrase: fill(paraphrase) };
}

/** A prompt that no stored prompt answers (a number never used). */
export function unseenPrompt(i: number): string {
  return `Which ${PRODUCTS[i % PRODUCTS.length]} discount applies to order ${1_000_003 + i * 13}?`;
}
