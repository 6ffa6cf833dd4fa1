/** The whitelisted functions an expression may call, with their arity and implementation. */
import { contains, describe, type Fail } from './values.js';

export interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  apply(args: readonly unknown[], fail: Fail): unknown;
}

export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['len', unary(length)],
  // Compiled specially: it reads its path itself rather than taking a value.
  ['exists', unary(() => true)],
  ['lower', unary((value, fail) => text(value, fail).toLowerCase())],
  ['upper', unary((value, fail) => text(value, fail).toUpperCase())],
  ['trim', unary((value, fail) => text(value, fail).trim())],
  ['contains', binary((haystack, needle, fail) => contains(haystack, needle, fail))],
  ['startsWith', binary((value, prefix, fail) => text(value, fail).startsWith(text(prefix, fail)))],
  ['endsWith', binary((value, suffix, fail) => text(value, fail).endsWith(text(suffix, fail)))],
  ['number', unary(toNumber)],
  ['string', unary(toText)],
  ['abs', unary((value, fail) => Math.abs(numeric(value, fail)))],
  [
    'min',
    { minArgs: 1, maxArgs: Number.POSITIVE_INFINITY, apply: (args, fail) => extreme(args, fail, (a, b) => a < b) },
  ],
  [
    'max',
    { minArgs: 1, maxArgs: Number.POSITIVE_INFINITY, apply: (args, fail) => extreme(args, fail, (a, b) => a > b) },
  ],
  ['round', unary((value, fail) => Math.round(numeric(value, fail)))],
  ['floor', unary((value, fail) => Math.floor(numeric(value, fail)))],
  ['ceil', unary((value, fail) => Math.ceil(numeric(value, fail)))],
]);

function unary(apply: (value: unknown, fail: Fail) => unknown): FunctionSpec {
  return { minArgs: 1, maxArgs: 1, apply: (args, fail) => apply(args[0], fail) };
}

function binary(apply: (a: unknown, b: unknown, fail: Fail) => unknown): FunctionSpec {
  return { minArgs: 2, maxArgs: 2, apply: (args, fail) => apply(args[0], args[1], fail) };
}

function length(value: unknown, fail: Fail): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length;
  return fail(`needs a string, an array or an object, got ${describe(value)}`);
}

function text(value: unknown, fail: Fail): string {
  return typeof value === 'string' ? value : fail(`needs a string, got ${describe(value)}`);
}

function numeric(value: unknown, fail: Fail): number {
  return typeof value === 'number' ? value : fail(`needs a number, got ${describe(value)}`);
}

function toNumber(value: unknown, fail: Fail): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  return fail(`cannot turn ${describe(value)} into a number`);
}

function toText(value: unknown, fail: Fail): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return fail(`cannot turn ${describe(value)} into a string`);
    }
  }
  return fail(`cannot turn ${describe(value)} into a string`);
}

function extreme(args: readonly unknown[], fail: Fail, wins: (a: number, b: number) => boolean): number {
  const values = args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly unknown[]) : args;
  if (values.length === 0) return fail('needs at least one number, got an empty array');
  let best = numeric(values[0], fail);
  for (let i = 1; i < values.length; i++) {
    const value = numeric(values[i], fail);
    if (wins(value, best)) best = value;
  }
  return best;
}
