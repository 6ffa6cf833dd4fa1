/**
 * A durable run stores its request data as JSON: data JSON cannot hold — a BigInt, NaN or Infinity, a lone
 * surrogate, a cycle — is refused when the run is asked for, naming where it is, instead of failing the run once it
 * has started with the serialiser's bare message.
 */
import { ValidationError } from '../errors/validation-error.js';
import { isStorableJson } from '../storage/canonical-json.js';

interface Unstorable {
  path: string;
  message: string;
}

/** @throws ValidationError naming the first value of `request` that JSON cannot store. */
export function checkStorableRequest(request: unknown): void {
  if (isStorableJson(request)) return;
  const found = firstUnstorable(request, 'request', new Set()) ?? {
    path: 'request',
    message: 'cannot be stored as JSON',
  };
  throw new ValidationError('request data cannot be stored as JSON', [{ ...found, code: 'not-json' }]);
}

function firstUnstorable(value: unknown, path: string, seen: Set<object>): Unstorable | undefined {
  if (typeof value === 'bigint') {
    return { path, message: `a BigInt (${String(value).slice(0, 40)}n) cannot be stored as JSON; send it as a string` };
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { path, message: `${value} cannot be stored as JSON; send a finite number, or null` };
  }
  if (typeof value === 'string') {
    return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)
      ? { path, message: 'holds a lone surrogate (half of a UTF-16 pair), which JSON text cannot carry' }
      : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen.has(value)) return { path, message: 'refers back to an object that holds it (a cycle)' };
  seen.add(value);
  const entries = Array.isArray(value)
    ? value.map((item, index) => [`${path}[${index}]`, item] as const)
    : Object.entries(value).map(([key, item]) => [`${path}.${key}`, item] as const);
  for (const [where, item] of entries) {
    const found = firstUnstorable(item, where, seen);
    if (found !== undefined) return found;
  }
  seen.delete(value);
  return undefined;
}
