/**
 * A whole number in a query string (`?limit=20`), written in decimal digits: `z.coerce.number()` also read `0x10`
 * as 16, `1e1` as 10 and ` 5` as 5, which no client means to send. The JSON Schema (and so the OpenAPI document)
 * still says integer with its bounds.
 */
import { z } from 'zod';

const DIGITS = /^\d{1,16}$/;

export function queryInteger(bounds: { min: number; max: number }) {
  return z.preprocess(
    (value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value),
    z
      .number({ error: 'must be a whole number written in decimal digits' })
      .int()
      .min(bounds.min, { error: `must be from ${bounds.min} to ${bounds.max}` })
      .max(bounds.max, { error: `must be from ${bounds.min} to ${bounds.max}` }),
  );
}
