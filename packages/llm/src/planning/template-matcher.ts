/**
 * Plan templates, matched offline: an action gets a template's plan when its meaning matches one of the template's
 * examples — by the semantic cache's embedder (cosine at or above the threshold) and its verifier (every word matched
 * in place, so an action that differs by an entity, a number or a negation is refused) — and the request data (with
 * values read from the action where the data lacks them) satisfies the template's params. Param values are masked on
 * both sides first (`param-slots.ts`), so a template for "the weather in {city}" answers for any city, and only for
 * the city the data names.
 *
 * @example
 * const matcher = new TemplateMatcher({ embedder: createSifEmbedder() });
 * await matcher.add({ name: 'weather', examples: ['weather in {city}'], params: { city: { type: 'string' } }, plan });
 * const match = await matcher.match('What is the weather in Lisbon?', {});
 */
import { allPassed, type CheckResult, cosine } from '@baton/cache';
import { type CompiledSchema, compileSchema, type Plan, type Problem, ValidationError } from '@baton/core';
import { type PlanTemplateDefinition, type PlanTemplateInput, planTemplateDefinitionSchema } from '@baton/protocol';
import { dataReads } from './data-reads.js';
import { MeaningJudge, type MeaningJudgeOptions } from './meaning-judge.js';
import {
  type ExampleShape,
  exampleShape,
  extractValues,
  literalWordsIn,
  MAX_PARAMS,
  maskAction,
  maskExample,
  placeholdersOf,
  slotWord,
  valueCandidates,
  valueText,
  withoutParams,
  wordsOf,
} from './param-slots.js';

/** The embedder, the cosine threshold an example must reach before it is verified, and the verifier's lexicon. */
export type TemplateMatcherOptions = MeaningJudgeOptions;

export interface TemplateMatch {
  readonly template: PlanTemplateDefinition;
  readonly example: string;
  readonly similarity: number;
  /** The request data the plan runs with: the request's, plus the param values read from the action. */
  readonly data: Record<string, unknown>;
  readonly plan: Plan;
}

/** Why the closest examples were not taken (for a decision record or a debugging operator). */
export interface TemplateMiss {
  readonly template: string;
  readonly example: string;
  readonly similarity: number;
  readonly reason: string;
}

interface CompiledExample {
  readonly text: string;
  readonly masked: string;
  readonly names: readonly string[];
  readonly shape: ExampleShape;
  vector: Float32Array;
  /**
   * The example without its params (`withoutParams`), for an action that leaves every one of them to the request
   * data; undefined for an example with no params, or with no word of its own left.
   */
  readonly bare: { readonly text: string; vector: Float32Array } | undefined;
}

interface Candidate {
  readonly template: CompiledTemplate;
  readonly example: CompiledExample;
  readonly values: Map<string, string>;
  readonly masked: string;
  /** The example's text the action is verified against: `example.masked`, or its bare text. */
  readonly against: string;
  /** Cosine similarity of the action (request values masked) with the example. */
  readonly score: number;
  /** Whether `score` was measured on `masked` itself. */
  readonly exact: boolean;
}

/** How far below the threshold an example may be and still be tried with values read from the action. */
const EXTRACTION_SLACK = 0.15;
/** Combinations of guessed values tried per example at most. */
const MAX_GUESSES = 24;
/** Candidates verified at most per action. */
const MAX_VERIFIED = 64;

interface CompiledTemplate {
  readonly definition: PlanTemplateDefinition;
  readonly slots: ReadonlyMap<string, string>;
  readonly params: ReadonlyMap<string, CompiledSchema>;
  readonly examples: readonly CompiledExample[];
}

export class TemplateMatcher {
  readonly #judge: MeaningJudge;
  readonly #templates = new Map<string, CompiledTemplate>();

  constructor(options: TemplateMatcherOptions) {
    this.#judge = new MeaningJudge(options);
  }

  get size(): number {
    return this.#templates.size;
  }

  /** Adds (or replaces, by name) a template; a `ValidationError` lists every problem of a bad one. */
  async add(input: PlanTemplateInput): Promise<PlanTemplateDefinition> {
    const compiled = compileTemplate(input);
    const bare = compiled.examples.flatMap((example) => (example.bare === undefined ? [] : [example.bare]));
    const vectors = await this.#judge.embed([
      ...compiled.examples.map((example) => example.masked),
      ...bare.map((example) => example.text),
    ]);
    compiled.examples.forEach((example, i) => {
      example.vector = vectors[i] as Float32Array;
    });
    bare.forEach((example, i) => {
      example.vector = vectors[compiled.examples.length + i] as Float32Array;
    });
    this.#templates.set(compiled.definition.name, compiled);
    return compiled.definition;
  }

  remove(name: string): boolean {
    return this.#templates.delete(name);
  }

  list(): PlanTemplateDefinition[] {
    return [...this.#templates.values()].map((template) => template.definition);
  }

  /**
   * The best template for `action` (among those of at most `maxSteps` steps), or undefined when none matches; `misses`
   * collects why the closest examples were not taken.
   */
  async match(
    action: string,
    data: Readonly<Record<string, unknown>>,
    options: { misses?: TemplateMiss[]; maxSteps?: number } = {},
  ): Promise<TemplateMatch | undefined> {
    const { misses, maxSteps } = options;
    if (this.#templates.size === 0) return undefined;
    // One embedding per distinct text: the action with each template's request values masked.
    const bases = new Map<CompiledTemplate, { values: Map<string, string>; masked: string }>();
    for (const template of this.#templates.values()) {
      if (maxSteps !== undefined && template.definition.plan.steps.length > maxSteps) continue;
      const values = requestValues(template, data);
      bases.set(template, { values, masked: maskAction(action, values, template.slots) });
    }
    if (bases.size === 0) return undefined;
    const texts = [...new Set([...bases.values()].map((base) => base.masked))];
    const vectors = new Map<string, Float32Array>();
    for (const [i, vector] of (await this.#judge.embed(texts)).entries()) vectors.set(texts[i] as string, vector);
    const candidates: Candidate[] = [];
    const actionWords = wordsOf(action);
    for (const [template, base] of bases) {
      for (const example of template.examples) {
        const score = cosine(vectors.get(base.masked) as Float32Array, example.vector);
        const missing = example.names.filter((name) => !base.values.has(name));
        if (missing.length === 0) {
          const { values, masked } = base;
          if (score >= this.#judge.threshold)
            candidates.push({ template, example, values, masked, against: example.masked, score, exact: true });
          // Every param from the data, and none of them in the action: the action is the example without them.
          const bare = example.bare;
          if (bare !== undefined && example.names.every((name) => !masked.includes(template.slots.get(name) ?? ''))) {
            const bareScore = cosine(vectors.get(masked) as Float32Array, bare.vector);
            if (bareScore >= this.#judge.threshold) {
              candidates.push({ template, example, values, masked, against: bare.text, score: bareScore, exact: true });
            }
          }
          continue;
        }
        // Values the action must give. Read in the example's places, they are taken whatever the similarity with
        // the values still in; guessed among the action's numbers, names and codes only for an example close enough
        // already, or whose every word the action has. Either way the similarity is measured again, values masked, before a match is taken.
        const guess = score >= this.#judge.threshold - EXTRACTION_SLACK || literalWordsIn(example.shape, actionWords);
        for (const read of readValues(template, example, missing, action, guess)) {
          const values = new Map([...base.values, ...read]);
          candidates.push({
            template,
            example,
            values,
            masked: maskAction(action, values, template.slots),
            against: example.masked,
            score,
            exact: false,
          });
        }
      }
    }
    candidates.sort((a, b) => b.score - a.score);
    if (candidates.length === 0) return undefined;
    for (const candidate of candidates.slice(0, MAX_VERIFIED)) {
      const { template, example, values, masked, against } = candidate;
      let similarity = candidate.score;
      const miss = (reason: string) =>
        misses?.push({ template: template.definition.name, example: example.text, similarity, reason });
      const checks = await this.#judge.verify(masked, against);
      if (!allPassed(checks)) {
        miss(failedReason(checks));
        continue;
      }
      if (!candidate.exact) {
        similarity = cosine((await this.#judge.embed([masked]))[0] as Float32Array, example.vector);
        if (similarity < this.#judge.threshold) {
          miss(`similarity ${similarity.toFixed(3)} is below ${this.#judge.threshold}`);
          continue;
        }
      }
      const merged = mergeData(template, values, data);
      if (typeof merged === 'string') {
        miss(merged);
        continue;
      }
      return {
        template: template.definition,
        example: example.text,
        similarity,
        data: merged,
        plan: template.definition.plan as Plan,
      };
    }
    return undefined;
  }
}

function compileTemplate(input: PlanTemplateInput): CompiledTemplate {
  const parsed = planTemplateDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      code: issue.code,
      message: issue.message,
    }));
    throw new ValidationError('invalid plan template', problems);
  }
  const definition = parsed.data;
  const problems: Problem[] = [];
  const names = Object.keys(definition.params).sort();
  if (names.length > MAX_PARAMS) {
    problems.push({ path: 'params', code: 'too-many', message: `at most ${MAX_PARAMS} params, got ${names.length}` });
  }
  const slots = new Map(names.map((name, i) => [name, slotWord(i)]));
  const params = new Map<string, CompiledSchema>();
  for (const name of names) {
    try {
      params.set(name, compileSchema(definition.params[name] as Record<string, unknown>));
    } catch (error) {
      problems.push({ path: `params.${name}`, code: 'invalid-schema', message: (error as Error).message });
    }
  }
  const examples = definition.examples.map((text, i) => {
    const named = placeholdersOf(text);
    for (const name of named) {
      if (!slots.has(name)) {
        problems.push({
          path: `examples[${i}]`,
          code: 'unknown-param',
          message: `{${name}} is not one of the params (${names.join(', ') || 'none'})`,
        });
      }
    }
    problems.push(...exampleProblems(text, named, `examples[${i}]`));
    const bare = named.length === 0 ? undefined : withoutParams(text);
    return {
      text,
      masked: maskExample(text, slots),
      names: named,
      shape: exampleShape(text),
      vector: new Float32Array(0),
      bare: bare === undefined || !/\p{L}{3,}/u.test(bare) ? undefined : { text: bare, vector: new Float32Array(0) },
    };
  });
  problems.push(...undeclaredReads(definition.plan, names));
  if (problems.length > 0)
    throw new ValidationError(`invalid plan template ${JSON.stringify(definition.name)}`, problems);
  return { definition, slots, params, examples };
}

/**
 * What makes an example unable to tell actions apart: no word of its own outside its placeholders (`"{city}"` would
 * answer any action at all), a `{` left open, a param twice, or two placeholders with not even a space between them
 * (no action shows where one value ends).
 */
function exampleProblems(text: string, named: readonly string[], path: string): Problem[] {
  const problems: Problem[] = [];
  const literal = text.replace(/\{[A-Za-z_][A-Za-z0-9_]{0,63}\}/g, ' ');
  if (!/\p{L}{3,}/u.test(literal)) {
    problems.push({
      path,
      code: 'no-words',
      message: `${JSON.stringify(text)} has no word of its own besides its params: it would answer any action`,
    });
  }
  if (/[{}]/.test(literal)) {
    problems.push({
      path,
      code: 'unclosed-param',
      message: `${JSON.stringify(text)} has a { or } that marks no param`,
    });
  }
  const twice = named.filter((name, index) => named.indexOf(name) !== index);
  if (twice.length > 0) {
    problems.push({ path, code: 'repeated-param', message: `{${twice[0]}} stands twice in ${JSON.stringify(text)}` });
  }
  if (/\}\{/.test(text)) {
    problems.push({
      path,
      code: 'adjacent-params',
      message: `${JSON.stringify(text)} has two params with nothing between them: an action cannot show where one ends`,
    });
  }
  return problems;
}

/** The plan's reads of `request.data.<field>` for a field that is no param: every action would fail when it runs. */
function undeclaredReads(plan: unknown, params: readonly string[]): Problem[] {
  return dataReads(plan)
    .filter((read) => !params.includes(read.field))
    .map((read) => ({
      path: `plan${read.path}`,
      code: 'unknown-param',
      message: `reads request.data.${read.field}, which is no param (params: ${params.join(', ') || 'none'})`,
    }));
}

/** The values of the template's params the request data holds, as an action would write them. */
function requestValues(template: CompiledTemplate, data: Readonly<Record<string, unknown>>): Map<string, string> {
  const values = new Map<string, string>();
  for (const name of template.slots.keys()) {
    const text = valueText(data[name]);
    if (text !== undefined) values.set(name, text);
  }
  return values;
}

/**
 * Ways the action may give the `missing` params: read in the example's places when it is written like the example,
 * else (when `guess`) each combination of candidate values (numbers, codes, addresses, quoted text, names) that the
 * params' schemas accept, at most `MAX_GUESSES`.
 */
function readValues(
  template: CompiledTemplate,
  example: CompiledExample,
  missing: readonly string[],
  action: string,
  guess: boolean,
): Map<string, string>[] {
  const read = extractValues(example.shape, action);
  if (read && missing.every((name) => read.has(name)))
    return [new Map(missing.map((name) => [name, read.get(name) as string]))];
  if (!guess) return [];
  const found = valueCandidates(action);
  const fitting = missing.map((name) => {
    const schema = template.params.get(name) as CompiledSchema;
    return found.filter((value) => schema.validate(coerce(value, schema)).length === 0);
  });
  let combinations: Map<string, string>[] = [new Map()];
  for (const [i, name] of missing.entries()) {
    combinations = combinations.flatMap((chosen) =>
      (fitting[i] as string[])
        .filter((value) => ![...chosen.values()].includes(value))
        .map((value) => new Map([...chosen, [name, value]])),
    );
    if (combinations.length > MAX_GUESSES) combinations = combinations.slice(0, MAX_GUESSES);
  }
  return combinations;
}

/** The request data with the values read from the action, each param checked against its schema. */
function mergeData(
  template: CompiledTemplate,
  values: ReadonlyMap<string, string>,
  data: Readonly<Record<string, unknown>>,
): Record<string, unknown> | string {
  const merged: Record<string, unknown> = { ...data };
  for (const [name, schema] of template.params) {
    if (!Object.hasOwn(merged, name)) {
      const read = values.get(name);
      if (read === undefined) return `param ${name} is neither in the request data nor in the action`;
      merged[name] = coerce(read, schema);
    }
    const problems = schema.validate(merged[name], name);
    if (problems.length > 0) return `param ${name}: ${problems[0]?.message ?? 'invalid'}`;
  }
  return merged;
}

/** A value read from text, as the param's schema wants it: `"3"` for an integer param is 3. */
function coerce(text: string, schema: CompiledSchema): unknown {
  const type = (schema.jsonSchema as { type?: unknown }).type;
  if ((type === 'number' || type === 'integer') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function failedReason(checks: readonly CheckResult[]): string {
  const failed = checks.find((check) => !check.passed);
  return failed ? `${failed.name}: ${failed.reason}` : 'not verified';
}
