/**
 * Runs JSON Schema patterns in time linear in the string. Ajv builds every `pattern` (those under `propertyNames`
 * too) and every `patternProperties` key through its `code.regExp` hook; `safePattern` is that hook: it rewrites the
 * ECMA-262 pattern in RE2 syntax and compiles it with re2js, a pure-JavaScript RE2, so no value a plan sends can make
 * a check backtrack for seconds (`^(a+)+$` against 'a'.repeat(5000) + '!' answers at once).
 */
import type { CodeOptions } from 'ajv';
import { RE2JS } from 're2js';
import { isRecord } from './is-record.js';
import { translatePattern } from './translate-pattern.js';
import { UnsupportedPatternError } from './unsupported-pattern-error.js';

export interface SafePattern {
  /** Whether the pattern matches anywhere in `text` (JSON Schema patterns are not anchored). */
  test(text: string): boolean;
  /** `/pattern/flags`: Ajv shares one compiled pattern between schemas under this key. */
  toString(): string;
}

/**
 * Compiles a JSON Schema pattern for the linear-time engine; the pattern is read as ECMA-262 with the `u` flag,
 * which is what JSON Schema specifies. Throws `UnsupportedPatternError` for invalid syntax and for what RE2 lacks.
 *
 * @example
 * safePattern('b', 'u').test('abc'); // true: unanchored, as in JSON Schema
 * safePattern('^(a+)+$', 'u').test(`${'a'.repeat(5000)}!`); // false, in linear time
 */
export function safePattern(pattern: string, flags = 'u'): SafePattern {
  const translated = translatePattern(pattern);
  let engine: RE2JS;
  try {
    engine = RE2JS.compile(translated);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = `RE2 ${message.replace(/^error parsing regexp: /, 'says ')}`;
    throw new UnsupportedPatternError({ pattern, kind: 'feature', reason });
  }
  return { test: (text) => engine.test(text), toString: () => `/${pattern}/${flags}` };
}

/** `safePattern` as Ajv's `code.regExp` option. `code` would name it in standalone code, which Baton never emits. */
export const safeRegExpEngine: NonNullable<CodeOptions['regExp']> = Object.assign(safePattern, {
  code: 'safePattern',
});

/** Keywords whose value is one subschema, a list of them, or a map of them (drafts 07, 2019-09 and 2020-12). */
const ONE_SCHEMA = [
  'additionalItems',
  'additionalProperties',
  'contains',
  'contentSchema',
  'else',
  'if',
  'items',
  'not',
  'propertyNames',
  'then',
  'unevaluatedItems',
  'unevaluatedProperties',
];
const LIST_OF_SCHEMAS = ['allOf', 'anyOf', 'items', 'oneOf', 'prefixItems'];
const MAP_OF_SCHEMAS = ['$defs', 'definitions', 'dependencies', 'dependentSchemas', 'patternProperties', 'properties'];

/**
 * The first pattern in `schema` that `safePattern` refuses, located by JSON Pointer
 * (`/properties/s/pattern`, `/patternProperties/(a)\1`); undefined when every pattern compiles.
 */
export function findUnsupportedPattern(schema: unknown): UnsupportedPatternError | undefined {
  for (const { place, pattern } of patternsIn(schema, '')) {
    try {
      safePattern(pattern);
    } catch (error) {
      if (UnsupportedPatternError.isInstance(error)) return error.at(place);
    }
  }
  return undefined;
}

function* patternsIn(schema: unknown, place: string): Generator<{ place: string; pattern: string }> {
  if (!isRecord(schema)) return;
  if (typeof schema.pattern === 'string') yield { place: `${place}/pattern`, pattern: schema.pattern };
  if (isRecord(schema.patternProperties)) {
    for (const key of Object.keys(schema.patternProperties)) {
      yield { place: `${place}/patternProperties/${pointerSegment(key)}`, pattern: key };
    }
  }
  for (const keyword of ONE_SCHEMA) yield* patternsIn(schema[keyword], `${place}/${keyword}`);
  for (const keyword of LIST_OF_SCHEMAS) {
    const list = schema[keyword];
    if (Array.isArray(list))
      for (const [i, item] of list.entries()) yield* patternsIn(item, `${place}/${keyword}/${i}`);
  }
  for (const keyword of MAP_OF_SCHEMAS) {
    const map = schema[keyword];
    if (!isRecord(map)) continue;
    for (const [key, item] of Object.entries(map))
      yield* patternsIn(item, `${place}/${keyword}/${pointerSegment(key)}`);
  }
}

function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
