/**
 * Finds the first value JSON cannot store — a BigInt, NaN or Infinity, a lone surrogate, a cycle — and where it is,
 * so that what refuses it can name the place (`request.data.n`, `steps.lookup.output.rows[3]`) rather than repeat
 * the serialiser's bare message. One walk, building no text on the way down.
 */

export interface Unstorable {
  /** Where, from the value's root: `.key` and `[index]` parts, outermost first (`''` for the root). */
  place: string;
  message: string;
}

/** Half of a UTF-16 surrogate pair without its other half. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_MESSAGE = 'holds a lone surrogate (half of a UTF-16 pair), which JSON text cannot carry';

interface Found {
  place: string[];
  message: string;
}

function firstUnstorable(value: unknown, seen: Set<object>): Found | undefined {
  if (typeof value === 'bigint') {
    return {
      place: [],
      message: `a BigInt (${String(value).slice(0, 40)}n) cannot be stored as JSON; use a string`,
    };
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { place: [], message: `${value} cannot be stored as JSON; use a finite number, or null` };
  }
  if (typeof value === 'string') {
    return LONE_SURROGATE.test(value) ? { place: [], message: LONE_SURROGATE_MESSAGE } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen.has(value)) return { place: [], message: 'refers back to an object that holds it (a cycle)' };
  seen.add(value);
  // The place is written only on the way back from a find: a large value costs no string per item.
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = firstUnstorable(value[index], seen);
      if (found !== undefined) return { ...found, place: [`[${index}]`, ...found.place] };
    }
  } else {
    for (const key of Object.keys(value)) {
      if (LONE_SURROGATE.test(key)) return { place: [`.${key}`], message: `its key ${LONE_SURROGATE_MESSAGE}` };
      const found = firstUnstorable((value as Record<string, unknown>)[key], seen);
      if (found !== undefined) return { ...found, place: [`.${key}`, ...found.place] };
    }
  }
  seen.delete(value);
  return undefined;
}

/** The first value in `value` JSON cannot store, or `undefined` when there is none. */
export function unstorableIn(value: unknown): Unstorable | undefined {
  const found = firstUnstorable(value, new Set());
  return found === undefined ? undefined : { place: found.place.join(''), message: found.message };
}
