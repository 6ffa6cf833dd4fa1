/**
 * Kinds of values a request can carry and a tool parameter can take: an e-mail address, a phone number, a date, a
 * file path, an SQL statement… A request that names such a value is asking for a tool with a parameter to put it in
 * ("Text +351 912 345 678 that I landed" → a tool with a phone number), whatever words it uses.
 */
export const VALUE_KINDS = [
  'email',
  'url',
  'domain',
  'ip',
  'phone',
  'datetime',
  'duration',
  'path',
  'image',
  'audio',
  'video',
  'pdf',
  'channel',
  'mention',
  'repository',
  'sql',
  'expression',
  'quantity',
  'temperature',
  'money',
  'coordinates',
  'flight',
  'tracking',
  'ticker',
] as const;

export type ValueKind = (typeof VALUE_KINDS)[number];

/**
 * How much a value of each kind says about the tool a request needs. An address, a path or a statement nearly always
 * fills a parameter; a date or a duration is often only context ("how is Apple stock doing today?").
 */
export const VALUE_KIND_WEIGHT: Readonly<Record<ValueKind, number>> = {
  ...(Object.fromEntries(VALUE_KINDS.map((kind) => [kind, 1])) as Record<ValueKind, number>),
  datetime: 0.35,
  duration: 0.5,
  mention: 0.5,
  repository: 0.8,
  // Two capitals and digits are now and then something else (a course, a form, a model).
  flight: 0.8,
  // Four capitals are now and then an abbreviation no list holds.
  ticker: 0.5,
};
