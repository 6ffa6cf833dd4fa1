/**
 * What a zod issue of an `agent.yaml` says to its author: what the value must be and the value given (`maxSteps must
 * be a whole number, got 12.5`), in the words of the file (a map, a list) rather than zod's, and for an unknown key,
 * the keys known at that level — as `enhance()` and `assembleContext` name theirs.
 */
import { describeValue } from '@baton/core';
import { z } from 'zod';

type Issue = z.core.$ZodIssue & { input?: unknown };

const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized)/;

const KINDS: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a map (key: value)',
  array: 'a list',
  record: 'a map (key: value)',
};

/** The schema at `path` inside `schema`, looking through optional values, lists and the maps of a union. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let at: z.ZodType | undefined = schema;
  for (const part of path) {
    at = unwrapped(at);
    if (at instanceof z.ZodArray) at = at.element as z.ZodType;
    else if (at instanceof z.ZodRecord) at = at.valueType as z.ZodType;
    else if (at instanceof z.ZodObject) at = at.shape[String(part)] as z.ZodType | undefined;
    else if (at instanceof z.ZodUnion) {
      const map = (at.options as z.ZodType[]).find((option) => option instanceof z.ZodObject);
      at = (map as z.ZodObject | undefined)?.shape[String(part)] as z.ZodType | undefined;
    } else return undefined;
  }
  return unwrapped(at);
}

function unwrapped(schema: z.ZodType | undefined): z.ZodType | undefined {
  return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
}

/** The keys a map at `path` may have (of its map option, for a union like `cache`). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const at = schemaAt(schema, path);
  const options = at instanceof z.ZodUnion ? (at.options as z.ZodType[]) : [at];
  // A key that must stay out of the file (apiKey) is no key to suggest.
  const allowed = (option: z.ZodObject) =>
    Object.keys(option.shape).filter((key) => !(unwrapped(option.shape[key] as z.ZodType) instanceof z.ZodUndefined));
  return options.flatMap((option) => (option instanceof z.ZodObject ? allowed(option) : []));
}

/** `false or a map of path, ttlSeconds, similarityThreshold`: what a union accepts, option by option. */
function unionKinds(schema: z.ZodType | undefined): string | undefined {
  if (!(schema instanceof z.ZodUnion)) return undefined;
  const kinds = (schema.options as z.ZodType[]).map((option) => {
    if (option instanceof z.ZodLiteral) return [...option.values].map((value) => JSON.stringify(value)).join(' or ');
    if (option instanceof z.ZodObject) return `a map of ${Object.keys(option.shape).join(', ')}`;
    return 'another value';
  });
  return kinds.join(' or ');
}

const bound = (inclusive: boolean | undefined, below: boolean) =>
  below ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';

function sizeMessage(issue: Issue & { code: 'too_small' | 'too_big' }, got: string): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  const input = issue.input as { length?: number } | undefined;
  if (issue.origin === 'string') {
    if (small && limit === 1) return 'must not be empty';
    return `must have ${small ? 'at least' : 'at most'} ${limit} characters, got ${input?.length}`;
  }
  if (issue.origin === 'array') {
    return `must list ${small ? 'at least' : 'at most'} ${limit}, got ${input?.length}`;
  }
  return `must be ${bound(issue.inclusive, small)} ${limit}, got ${got}`;
}

/**
 * @example
 * issueMessage(agentFileSchema, { code: 'invalid_type', expected: 'int', input: 12.5, path: ['maxSteps'], … });
 * // 'must be a whole number, got 12.5'
 */
export function issueMessage(schema: z.ZodType, issue: Issue): string {
  const got = describeValue(issue.input);
  // The schema's own words (`never put a key in the file…`) stand: only zod's defaults are rewritten.
  if (!ZOD_DEFAULT.test(issue.message))
    return issue.code === 'invalid_format' ? `${issue.message}, got ${got}` : issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      const at = schemaAt(schema, issue.path);
      const expected = at instanceof z.ZodNumber && at.isInt ? 'int' : issue.expected;
      const kind = KINDS[expected] ?? expected;
      return issue.input === undefined ? `is required (${kind})` : `must be ${kind}, got ${got}`;
    }
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue, got);
    case 'invalid_union':
      return `must be ${unionKinds(schemaAt(schema, issue.path)) ?? 'another kind of value'}, got ${got}`;
    case 'invalid_value':
      return `must be ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, got ${got}`;
    default:
      return issue.message;
  }
}

/** `enhance()`'s spelling of a key the file names otherwise: said outright, rather than left to the list of keys. */
const ENHANCE_SPELLINGS: Record<string, string> = {
  cacheTtl: 'ttlSeconds',
  cachePath: 'path',
  inputPer1kTokens: 'inputPerMTok, in US dollars per million tokens (not per thousand)',
  outputPer1kTokens: 'outputPerMTok, in US dollars per million tokens (not per thousand)',
  pricing: 'price: { inputPerMTok, outputPerMTok } on each model, per million tokens',
};

/**
 * @example
 * unknownKeyMessage(agentFileSchema, ['cache'], 'cacheTtl');
 * // 'unknown key "cacheTtl": in agent.yaml it is ttlSeconds (known in cache: path, ttlSeconds, similarityThreshold)'
 */
export function unknownKeyMessage(schema: z.ZodType, path: readonly PropertyKey[], key: string): string {
  const known = knownKeysAt(schema, path).join(', ');
  const where = path.length === 0 ? '' : ` in ${dotted(path)}`;
  const spelling = ENHANCE_SPELLINGS[key];
  return `unknown key "${key}"${spelling ? `: in agent.yaml it is ${spelling}` : ''} (known${where}: ${known})`;
}

/** `mcpServers[0].env`: a path as the file reads it. */
export const dotted = (path: readonly PropertyKey[]) =>
  path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
