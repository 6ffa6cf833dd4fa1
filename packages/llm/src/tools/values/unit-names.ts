/**
 * The names of measurement units as English text writes them after a number (`km`, `miles`, `°F`, `lb`, `hours`),
 * taken from the platform's own list (`Intl.supportedValuesOf('unit')`, formatted short, narrow and long) rather than
 * a list kept here.
 */
import type { ValueKind } from './value-kind.js';

const TEMPERATURE_UNITS = new Set(['celsius', 'fahrenheit', 'degree']);
const TIME_UNITS = new Set([
  'nanosecond',
  'microsecond',
  'millisecond',
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
]);
/** Unit names that are also common words, letters or ordinal endings in requests (`in`, `h`, `min`, `1st`) stay out. */
const AMBIGUOUS = new Set([
  'in',
  'h',
  's',
  'm',
  'b',
  'min',
  'd',
  'y',
  'w',
  'l',
  'st',
  'ac',
  'ha',
  'smi',
  '#',
  '′',
  '″',
]);
/** Percentages are arithmetic (`17% of 2,340`), not a measurement. */
const NOT_MEASUREMENTS = new Set(['percent']);

let names: Map<string, ValueKind> | undefined;

function unitKind(unit: string): ValueKind {
  if (TEMPERATURE_UNITS.has(unit)) return 'temperature';
  if (TIME_UNITS.has(unit)) return 'duration';
  return 'quantity';
}

function unitText(unit: string, display: 'short' | 'narrow' | 'long', count: number): string | undefined {
  const parts = new Intl.NumberFormat('en', { style: 'unit', unit, unitDisplay: display }).formatToParts(count);
  return parts
    .find((part) => part.type === 'unit')
    ?.value.trim()
    .toLowerCase();
}

/** Lowercased unit name → the kind of value a number followed by it is. */
export function unitNames(): ReadonlyMap<string, ValueKind> {
  if (names) return names;
  const built = new Map<string, ValueKind>();
  for (const unit of Intl.supportedValuesOf('unit')) {
    if (NOT_MEASUREMENTS.has(unit)) continue;
    const kind = unitKind(unit);
    for (const display of ['short', 'narrow', 'long'] as const) {
      for (const count of [1, 2]) {
        const text = unitText(unit, display, count);
        if (text && !AMBIGUOUS.has(text)) built.set(text, kind);
      }
    }
  }
  // A bare letter after a temperature (`350F`, `20 C`) is how people write degrees.
  built.set('f', 'temperature');
  built.set('c', 'temperature');
  names = built;
  return names;
}
