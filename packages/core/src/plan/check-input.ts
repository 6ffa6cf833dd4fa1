/**
 * Checks a step's input against its target's input schema before anything runs: literal parts are validated as
 * they are, referenced parts by comparing the type the referenced field declares with the type the input expects.
 */
import type { Problem } from '../errors/validation-error.js';
import type { CompiledSchema, JsonSchema } from '../schema/schema.js';
import { schemaAtPath, typeList, typesCompatible } from '../schema/schema-path.js';
import type { PathSegment } from './expression.js';
import { type CompiledValue, type FoundReference, formatPath, isReference } from './reference.js';

/** The schema a reference points at, when it is known. */
export type ReferenceSchema = (path: readonly PathSegment[]) => JsonSchema | undefined;

const PLACEHOLDER = Object.freeze({ placeholder: 'reference' });

export function checkInput(
  input: unknown,
  compiled: CompiledValue,
  schema: CompiledSchema,
  where: string,
  schemaOf: ReferenceSchema,
  problems: Problem[],
): void {
  const holes = compiled.refs.map((ref) => formatPath(ref.at));
  const probe = replaceReferences(input);
  for (const problem of schema.validate(probe)) {
    if (holes.some((hole) => covers(hole, problem.path))) continue;
    problems.push({ ...problem, path: under(where, problem.path) });
  }
  const reported = new Set<string>();
  for (const ref of compiled.refs) {
    const problem = referenceTypeProblem(ref, schema.jsonSchema, where, schemaOf);
    // A template with several references is one string: report its mismatch once.
    if (problem && !reported.has(problem.path)) problems.push(problem);
    if (problem && ref.kind === 'template') reported.add(problem.path);
  }
}

function under(where: string, relative: string): string {
  if (relative === '') return where;
  return relative.startsWith('[') ? `${where}${relative}` : `${where}.${relative}`;
}

function referenceTypeProblem(
  ref: FoundReference,
  inputSchema: JsonSchema,
  where: string,
  schemaOf: ReferenceSchema,
): Problem | undefined {
  const expectedAt = schemaAtPath(inputSchema, ref.at);
  if (!expectedAt.found) return undefined;
  const expected = typeList(expectedAt.schema);
  if (!expected) return undefined;
  const given = ref.kind === 'template' ? ['string'] : typesOf(schemaOf(ref.path));
  if (!given || typesCompatible(given, expected)) return undefined;
  if (ref.hasDefault && given.includes('null')) return undefined;
  const location = formatPath([where, ...ref.at]);
  const source = ref.kind === 'template' ? `a template string using ${formatPath(ref.path)}` : formatPath(ref.path);
  // "{{…}}" alone passes the value as it is; written with other text it becomes text.
  const asText =
    ref.wholeTemplate && expected.includes('string')
      ? `; a string that is only "{{${formatPath(ref.path)}}}" passes the value itself — write it with other text around it to pass it as text`
      : '';
  return {
    path: location,
    code: 'type-mismatch',
    message: `expects ${expected.join(' or ')} but ${source} is ${given.join(' or ')}${asText}`,
  };
}

function typesOf(schema: JsonSchema | undefined): string[] | undefined {
  return schema === undefined ? undefined : typeList(schema);
}

function covers(hole: string, path: string): boolean {
  if (hole === '') return true;
  return path === hole || path.startsWith(`${hole}.`) || path.startsWith(`${hole}[`);
}

function replaceReferences(value: unknown): unknown {
  if (isReference(value)) return PLACEHOLDER;
  if (typeof value === 'string') return value.includes('{{') ? PLACEHOLDER : value;
  if (typeof value === 'object' && value !== null && '$literal' in value)
    return (value as { $literal: unknown }).$literal;
  if (Array.isArray(value)) return value.map(replaceReferences);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceReferences(v)]));
  }
  return value;
}
