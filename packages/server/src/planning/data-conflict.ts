/**
 * Why no template took an action whose request data contradicts its words ("What's the weather in Paris?" with
 * `city: "Rome"`): the matcher only sees words that differ from the example. Set the data's values that the words do
 * not contain aside, and a template may match the words alone; the values it reads there, against the data's, say
 * what is wrong — as a param that refuses its value is already told.
 */
import { isDeepStrictEqual } from 'node:util';
import type { TemplateMatcher } from '@baton/llm';

/** The template whose words matched, and which of its params the data contradicts. */
export interface DataConflict {
  readonly template: string;
  /** e.g. `city: the words say "Paris", data says "Rome"` */
  readonly reason: string;
}

/** Data fields tried at most (each alone, and all together). */
const MAX_FIELDS = 8;

/** The conflict between `action` and `data` that kept a template from matching, if setting data aside shows one. */
export async function findDataConflict(
  matcher: TemplateMatcher,
  action: string,
  data: Readonly<Record<string, unknown>>,
): Promise<DataConflict | undefined> {
  const params = new Set(matcher.list().flatMap((template) => Object.keys(template.params)));
  const fields = Object.keys(data).filter((name) => params.has(name) && isScalar(data[name]));
  // A value the words do not hold first; then one they hold in another place ("Convert 100 USD to EUR" with
  // `from: "EUR"`: EUR is in the words, as the other currency).
  const absent = fields.filter((name) => !appearsIn(action, data[name] as string | number | boolean));
  const suspects = [...absent, ...fields.filter((name) => !absent.includes(name))].slice(0, MAX_FIELDS);
  // All at once first (several values may contradict the words), then each alone (another may be needed by the template).
  const attempts = suspects.length > 1 ? [suspects, ...suspects.map((name) => [name])] : [suspects];
  for (const aside of attempts) {
    if (aside.length === 0) continue;
    const rest = Object.fromEntries(Object.entries(data).filter(([name]) => !aside.includes(name)));
    const match = await matcher.match(action, rest);
    if (match === undefined) continue;
    const contradicted = aside.filter(
      (name) => Object.hasOwn(match.template.params, name) && !isDeepStrictEqual(match.data[name], data[name]),
    );
    if (contradicted.length === 0) continue;
    return {
      template: match.template.name,
      reason: contradicted
        .map((name) => `${name}: the words say ${shown(match.data[name])}, data says ${shown(data[name])}`)
        .join('; '),
    };
  }
  return undefined;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Whether `value` is written in `action` as a whole word, any case: then it does not contradict the words. */
function appearsIn(action: string, value: string | number | boolean): boolean {
  const text = String(value).trim();
  if (text === '') return false;
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').test(action);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
