/**
 * The one place Baton makes an Ajv, so every instance gets the same options: all errors, formats, and patterns run by
 * the linear-time engine (`safeRegExpEngine`) instead of the native backtracking RegExp, so that no schema a service
 * registers and no value a plan sends can stall the event loop.
 */
import { Ajv, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { safeRegExpEngine } from './safe-pattern.js';

export type JsonSchemaDialect = 'draft-07' | '2019-09' | '2020-12';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: false,
  useDefaults: false,
  code: { regExp: safeRegExpEngine },
};

/**
 * An Ajv for one JSON Schema dialect, with formats and linear-time patterns.
 *
 * @example
 * const ajv = createAjv('2020-12');
 * ajv.compile({ type: 'string', pattern: '^(a+)+$' })(`${'a'.repeat(5000)}!`); // false, at once
 */
export function createAjv(dialect: JsonSchemaDialect = 'draft-07'): Ajv {
  if (dialect === '2020-12') return addFormats(new Ajv2020(AJV_OPTIONS) as unknown as Ajv);
  if (dialect === '2019-09') return addFormats(new Ajv2019(AJV_OPTIONS) as unknown as Ajv);
  return addFormats(new Ajv(AJV_OPTIONS));
}
