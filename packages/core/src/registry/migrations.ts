/**
 * Migrations between versions of one target: each turns an input written for `from` into one for `to`, and an output
 * of `to` back into the shape `from` returned. A step that pins a range no registered version satisfies is served by
 * the shortest chain of them (breadth-first over versions) to the highest registered version it reaches.
 */
import semver from 'semver';
import type { z } from 'zod';
import { describeValue } from '../errors/describe-value.js';
import { MigrationFailedError } from '../errors/migration-failed-error.js';
import type { Problem } from '../errors/validation-error.js';
import { type CompiledSchema, type JsonSchema, tryCompileSchema } from '../schema/schema.js';
import type { RegisteredTarget } from './target.js';

/** What `registry.migrate()` takes. */
// biome-ignore lint/suspicious/noExplicitAny: a migration without types passes whatever it is given.
export interface MigrationDefinition<OldInput = any, NewInput = any, NewOutput = any, OldOutput = any> {
  /** The target's name. */
  name: string;
  /** The exact version a plan was written for, e.g. `1.4.0`. */
  from: string;
  /** The exact version it migrates to. */
  to: string;
  /** Turns an input for `from` into one for `to`. @default the input unchanged */
  input?: (input: OldInput) => NewInput | Promise<NewInput>;
  /** Turns an output of `to` back into what `from` returned. @default the output unchanged */
  output?: (output: NewOutput) => OldOutput | Promise<OldOutput>;
  /** `from`'s schemas, when known: plan validation checks steps served through this migration against them. */
  fromSchemas?: { input?: z.ZodType | JsonSchema; output?: z.ZodType | JsonSchema };
}

/** A migration as the registry holds it. */
export interface RegisteredMigration {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly input: ((input: unknown) => unknown) | undefined;
  readonly output: ((output: unknown) => unknown) | undefined;
  readonly fromInput: CompiledSchema | undefined;
  readonly fromOutput: CompiledSchema | undefined;
}

/** How a reference is served: a registered target, and the migrations its calls go through (none for most). */
export interface TargetRoute {
  readonly target: RegisteredTarget;
  /** The versions walked, from the one asked for to the target's (`['1.0.0', '2.0.0', '2.1.0']`); empty without migrations. */
  readonly versions: readonly string[];
  readonly migrations: readonly RegisteredMigration[];
  /** What a caller's input must look like: the target's schema, or the first migration's `fromSchemas` (or unknown). */
  readonly input: CompiledSchema | undefined;
  /** What a caller gets back, as above. */
  readonly output: CompiledSchema | undefined;
}

/** Checks a migration definition; returns every problem, or the migration as the registry holds it. */
export function validateMigration(
  definition: MigrationDefinition,
  isName: (name: unknown) => boolean,
): { migration?: RegisteredMigration; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (path: string, code: string, message: string) => problems.push({ path, code, message });
  if (typeof definition !== 'object' || definition === null) {
    add('', 'type', `a migration must be an object, got ${describeValue(definition)}`);
    return { problems };
  }
  const { name, from, to, input, output, fromSchemas } = definition;
  if (!isName(name)) add('name', 'pattern', `name must be a registrable target name, got ${describeValue(name)}`);
  for (const [field, version] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (typeof version !== 'string' || semver.valid(version) === null) {
      add(field, 'semver', `${field} must be an exact version like 1.2.0, got ${describeValue(version)}`);
    }
  }
  if (problems.length === 0 && semver.eq(from, to)) add('to', 'same-version', `from and to are both ${from}`);
  if (input !== undefined && typeof input !== 'function') add('input', 'type', 'input must be a function');
  if (output !== undefined && typeof output !== 'function') add('output', 'type', 'output must be a function');
  const schemas = fromSchemas ?? {};
  const fromInput = schemas.input === undefined ? undefined : tryCompileSchema(schemas.input, 'fromSchemas.input');
  const fromOutput = schemas.output === undefined ? undefined : tryCompileSchema(schemas.output, 'fromSchemas.output');
  if (fromInput?.problem) problems.push(fromInput.problem);
  if (fromOutput?.problem) problems.push(fromOutput.problem);
  if (problems.length > 0) return { problems };
  const migration: RegisteredMigration = {
    name,
    from: semver.valid(from) as string,
    to: semver.valid(to) as string,
    input: input as RegisteredMigration['input'],
    output: output as RegisteredMigration['output'],
    fromInput: fromInput?.schema,
    fromOutput: fromOutput?.schema,
  };
  return { migration, problems };
}

/** The migrations of one target name: a directed graph over versions. */
export class MigrationGraph {
  private readonly edges = new Map<string, Map<string, RegisteredMigration>>();

  get size(): number {
    let count = 0;
    for (const out of this.edges.values()) count += out.size;
    return count;
  }

  has(from: string, to: string): boolean {
    return this.edges.get(from)?.has(to) ?? false;
  }

  add(migration: RegisteredMigration): void {
    const out = this.edges.get(migration.from) ?? new Map<string, RegisteredMigration>();
    out.set(migration.to, migration);
    this.edges.set(migration.from, out);
  }

  list(): RegisteredMigration[] {
    return [...this.edges.values()].flatMap((out) => [...out.values()]);
  }

  /** The migrations along `versions` (`['1.0.0', '2.0.0']`), or undefined when one of them is not registered. */
  along(versions: readonly string[]): RegisteredMigration[] | undefined {
    const chain: RegisteredMigration[] = [];
    for (let i = 1; i < versions.length; i++) {
      const step = this.edges.get(versions[i - 1] as string)?.get(versions[i] as string);
      if (step === undefined) return undefined;
      chain.push(step);
    }
    return chain;
  }

  /**
   * The shortest chain from a version in `range` to the highest of `registered` reachable at all, as the versions
   * walked; undefined when none is reachable. Sources and neighbours are visited highest first, so ties go to newer
   * versions.
   */
  shortestPath(range: string, registered: readonly string[]): string[] | undefined {
    const nodes = new Set<string>();
    for (const [from, out] of this.edges) {
      nodes.add(from);
      for (const to of out.keys()) nodes.add(to);
    }
    const sources = [...nodes].filter((v) => v === range || semver.satisfies(v, range, { includePrerelease: true }));
    const previous = new Map<string, string | null>();
    const queue = [...sources].sort(semver.rcompare);
    for (const source of queue) previous.set(source, null);
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i] as string;
      const next = [...(this.edges.get(at)?.keys() ?? [])].sort(semver.rcompare);
      for (const to of next) {
        if (previous.has(to)) continue;
        previous.set(to, at);
        queue.push(to);
      }
    }
    const best = registered.filter((v) => previous.has(v) && !sources.includes(v)).sort(semver.rcompare)[0];
    if (best === undefined) return undefined;
    const path = [best];
    for (let at = previous.get(best); at != null; at = previous.get(at)) path.unshift(at);
    return path;
  }
}

/**
 * Runs a step's input forward through `chain`; a migration that throws is a MigrationFailedError naming it.
 *
 * @example
 * const { migrations } = registry.route('summarize@^1');
 * await migrateInput(migrations, { body: 'text' }); // { text: 'text' }
 */
export async function migrateInput(chain: readonly RegisteredMigration[], input: unknown): Promise<unknown> {
  let value = input;
  for (const step of chain) value = await applyMigration(step, 'input', value);
  return value;
}

/**
 * Runs an output back through `chain`, newest migration first.
 *
 * @example
 * await migrateOutput(registry.route('summarize@^1').migrations, { summary: { text: 'short' } }); // { summary: 'short' }
 */
export async function migrateOutput(chain: readonly RegisteredMigration[], output: unknown): Promise<unknown> {
  let value = output;
  for (let i = chain.length - 1; i >= 0; i--)
    value = await applyMigration(chain[i] as RegisteredMigration, 'output', value);
  return value;
}

async function applyMigration(
  migration: RegisteredMigration,
  direction: 'input' | 'output',
  value: unknown,
): Promise<unknown> {
  const transform = migration[direction];
  if (transform === undefined) return value;
  try {
    return await transform(value);
  } catch (cause) {
    const { name, from, to } = migration;
    throw new MigrationFailedError({ name, from, to, direction, cause });
  }
}
