/**
 * References into run state: parsing `steps.lookup.output.items[0].id` into segments, reading a path safely, and
 * compiling a step input (literals, `$ref` objects, `{{path}}` templates) into a resolver built once per plan.
 */
import { clipText, quoteText } from '../errors/quote-text.js';
import { requireArgument } from '../errors/require-argument.js';
import { type Problem, ValidationError } from '../errors/validation-error.js';
import { setOwn } from '../schema/own-property.js';
import type { PathSegment } from './expression.js';

export type Lookup = (path: readonly PathSegment[]) => unknown;

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const SEGMENT = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[(['"])((?:\\.|(?!\3).)*)\3\]/y;
const ROOT = /^[A-Za-z_$][\w$-]*/;
const TEMPLATE = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** Parses a path; returns a string describing the problem when it is malformed. */
export function parsePath(source: string): PathSegment[] | string {
  requireArgument('parsePath', 'source', typeof source === 'string', "a path such as 'steps.a.output'", source);
  const root = ROOT.exec(source);
  if (!root) return `${quoteText(source, 0)} must start with a name such as request or steps`;
  const segments: PathSegment[] = [root[0]];
  let at = root[0].length;
  while (at < source.length) {
    SEGMENT.lastIndex = at;
    const match = SEGMENT.exec(source);
    if (!match) return `cannot read ${quoteText(source, at)} at position ${at}: expected .name, [index] or ['key']`;
    segments.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : (match[4] ?? '').replace(/\\(.)/g, '$1')));
    at = SEGMENT.lastIndex;
  }
  const bad = segments.find((s) => typeof s === 'string' && FORBIDDEN.has(s));
  if (bad !== undefined) return `${quoteText(source)} uses the forbidden name "${String(bad)}"`;
  return segments;
}

export function formatPath(segments: readonly PathSegment[]): string {
  requireArgument(
    'formatPath',
    'segments',
    isSegments(segments),
    "an array of path segments like ['steps', 0]",
    segments,
  );
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

/** Reads `segments[from..]` inside `value`: own properties only, array indexes and `length`. */
export function readPath(value: unknown, segments: readonly PathSegment[], from = 0): unknown {
  requireArgument(
    'readPath',
    'segments',
    isSegments(segments),
    "an array of path segments like ['steps', 0]",
    segments,
  );
  requireArgument('readPath', 'from', Number.isInteger(from) && from >= 0, 'an integer ≥ 0', from);
  return readSegments(value, segments, from);
}

/** `readPath` without the argument checks, for the engine's lookups: their paths were checked when the plan compiled. */
export function readSegments(value: unknown, segments: readonly PathSegment[], from: number): unknown {
  let current = value;
  for (let i = from; i < segments.length; i++) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = segments[i] as PathSegment;
    if (Array.isArray(current) && key === 'length') current = current.length;
    else current = Object.hasOwn(current, key) ? (current as Record<PathSegment, unknown>)[key] : undefined;
  }
  return current;
}

function isSegments(value: unknown): value is PathSegment[] {
  return Array.isArray(value) && value.every((s) => typeof s === 'string' || typeof s === 'number');
}

export function isReference(value: unknown): value is { $ref: string; default?: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$ref' in value;
}

function isLiteral(value: unknown): value is { $literal: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$literal' in value;
}

/** A reference found in a value, with where it sits in that value. */
export interface FoundReference {
  path: PathSegment[];
  /** Where in the input the reference sits (`['customer', 'id']`). */
  at: PathSegment[];
  /** `ref` for `{ $ref }` or a string that is one whole template; `template` when it is part of a longer string. */
  kind: 'ref' | 'template';
  hasDefault: boolean;
  /** A string that is one whole template (`"{{steps.a.output.n}}"`): it passes the value itself, of any type. */
  wholeTemplate?: true;
}

export interface CompiledValue {
  refs: FoundReference[];
  /** True when nothing needs resolving: the value can be used as is. */
  constant: boolean;
  resolve(lookup: Lookup): unknown;
}

/**
 * Compiles an input value once. `problems` receives malformed references with paths under `where`.
 */
export function compileValue(value: unknown, where: string, problems: Problem[]): CompiledValue {
  const refs: FoundReference[] = [];
  const resolve = build(value, [], where, refs, problems);
  if (refs.length === 0) {
    const plain = typeof value === 'object' && value !== null ? plainCopy(value) : NOT_JSON;
    const fixed = deepFreeze(plain !== NOT_JSON ? plain : unwrapLiterals(value));
    return { refs, constant: true, resolve: () => fixed };
  }
  return { refs, constant: false, resolve };
}

function build(
  value: unknown,
  at: PathSegment[],
  where: string,
  refs: FoundReference[],
  problems: Problem[],
): (lookup: Lookup) => unknown {
  if (isLiteral(value)) {
    const location = locationOf(where, at);
    extraKeys(value, ['$literal'], location, problems);
    const fixed = deepFreeze(cloneJson(value.$literal));
    if (fixed === NOT_JSON) {
      problems.push({
        path: location,
        code: 'invalid-literal',
        message: '$literal must hold JSON data (no functions or symbols)',
      });
    }
    return () => fixed;
  }
  if (isReference(value)) {
    const location = locationOf(where, at);
    extraKeys(value, ['$ref', 'default'], location, problems);
    if (typeof value.$ref !== 'string') {
      problems.push({ path: location, code: 'invalid-reference', message: '$ref must be a string path' });
      return () => undefined;
    }
    const path = parsePath(value.$ref);
    if (typeof path === 'string') {
      problems.push({ path: location, code: 'invalid-reference', message: path });
      return () => undefined;
    }
    const hasDefault = 'default' in value;
    refs.push({ path, at, kind: 'ref', hasDefault });
    const fallback = value.default;
    return hasDefault ? (lookup) => lookup(path) ?? fallback : (lookup) => lookup(path);
  }
  if (typeof value === 'string') return buildTemplate(value, at, where, refs, problems);
  // Data with nothing to fill in (a large array of values) is copied whole, natively, not compiled item by item; each
  // resolution gets a fresh copy of its own, as it would of the parts it builds.
  const plain = typeof value === 'object' && value !== null ? plainCopy(value) : NOT_JSON;
  if (plain !== NOT_JSON) return () => structuredClone(plain);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => build(item, [...at, i], where, refs, problems));
    return (lookup) => items.map((item) => item(lookup));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, build(item, [...at, key], where, refs, problems)] as const,
    );
    return (lookup) => {
      const out: Record<string, unknown> = {};
      for (const [key, item] of entries) setOwn(out, key, item(lookup));
      return out;
    };
  }
  return () => value;
}

function buildTemplate(
  text: string,
  at: PathSegment[],
  where: string,
  refs: FoundReference[],
  problems: Problem[],
): (lookup: Lookup) => unknown {
  if (!text.includes('{{')) return () => text;
  const parts: (string | PathSegment[])[] = [];
  let last = 0;
  for (const match of text.matchAll(TEMPLATE)) {
    const path = parsePath(match[1] as string);
    if (typeof path === 'string') {
      problems.push({ path: locationOf(where, at), code: 'invalid-reference', message: path });
      return () => text;
    }
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(path);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  const whole = parts.length === 1 && Array.isArray(parts[0]);
  for (const part of parts) {
    if (!Array.isArray(part)) continue;
    refs.push({
      path: part,
      at,
      hasDefault: false,
      ...(whole ? { kind: 'ref', wholeTemplate: true } : { kind: 'template' }),
    });
  }
  if (whole) {
    const path = parts[0] as PathSegment[];
    return (lookup) => lookup(path);
  }
  return (lookup) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : stringify(lookup(part), part, where, at);
    return out;
  };
}

const NOT_JSON = Symbol('not-json');

/**
 * A copy of `value` when it holds nothing to resolve — no `$ref` or `$literal` key and no string with `{{` at
 * any depth — and only JSON data; else NOT_JSON. One walk without recursion, then one native copy.
 */
function plainCopy(value: object): unknown {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('{{')) return NOT_JSON;
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const inner = item[i];
        if (typeof inner === 'object' || typeof inner === 'string') stack.push(inner);
      }
    } else if (typeof item === 'object' && item !== null) {
      if (Object.hasOwn(item, '$ref') || Object.hasOwn(item, '$literal')) return NOT_JSON;
      for (const inner of Object.values(item))
        if (typeof inner === 'object' || typeof inner === 'string') stack.push(inner);
    } else if (typeof item === 'function' || typeof item === 'symbol') return NOT_JSON;
  }
  return cloneJson(value);
}

/** A deep copy, or NOT_JSON when the value holds something that cannot be copied (the problem is reported once). */
function cloneJson(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return NOT_JSON;
  }
}

function extraKeys(value: object, allowed: readonly string[], location: string, problems: Problem[]): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length === 0) return;
  const isRef = allowed[0] === '$ref';
  const hint = isRef ? '; to pass data that holds a "$ref" key, wrap it in { "$literal": ... }' : '';
  problems.push({
    path: location,
    code: isRef ? 'invalid-reference' : 'invalid-literal',
    message: `{ ${allowed.join(', ')} } takes no other keys, got ${listKeys(extra)}${hint}`,
  });
}

/** Where a value sits, for a problem: the input's path, cut when a huge key would make it huge. */
function locationOf(where: string, at: readonly PathSegment[]): string {
  return clipText(formatPath([where, ...at]), 200);
}

function listKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, 5).map((key) => quoteText(key));
  return keys.length > 5 ? `${shown.join(', ')} and ${keys.length - 5} more` : shown.join(', ');
}

/** A referenced value as template text: JSON for objects, which fails (as a ValidationError) for a value that holds itself. */
function stringify(value: unknown, path: readonly PathSegment[], where: string, at: readonly PathSegment[]): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch (error) {
    const why = error instanceof RangeError ? 'nests too deeply' : 'contains itself or cannot be written as JSON';
    throw new ValidationError(
      'cannot fill in a template',
      [
        {
          path: locationOf(where, at),
          code: 'not-json',
          message: `${quoteText(formatPath(path))} ${why}; read a field of it, or pass it as a whole value with { "$ref": ... }`,
        },
      ],
      { cause: error },
    );
  }
}

/** Constant inputs are shared by every run of a plan, so they are frozen: a handler cannot change the next run's. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (typeof value[i] === 'object') deepFreeze(value[i]);
    } else for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function unwrapLiterals(value: unknown): unknown {
  if (isLiteral(value)) return cloneJson(value.$literal);
  if (Array.isArray(value)) return value.map(unwrapLiterals);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapLiterals(v)]));
  }
  return value;
}
