/**
 * A project's plan templates: stored as registered (`baton_server_plan_templates`), and matched through one
 * `TemplateMatcher` per project, kept in step with the table by ids (a template another replica added or removed is
 * seen at the next match; only new templates are embedded).
 */
import type { Embedder } from '@baton/cache';
import { type Problem, ValidationError } from '@baton/core';
import { TemplateMatcher } from '@baton/llm';
import type { PlanTemplate, PlanTemplateInput } from '@baton/protocol';
import type { Kysely, Selectable } from 'kysely';
import { decodeKeysetCursor, keysetPage, olderThan } from '../db/keyset-cursor.js';
import type { PlanTemplatesTable, ServerTables } from '../db/server-tables.js';
import { newId } from '../db/time-ordered-id.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { badRequest, conflict, notFound } from '../errors/http-problem.js';
import { templatePlanProblems } from './template-plan-problems.js';

type TemplateRow = Selectable<PlanTemplatesTable>;

interface ProjectMatcher {
  matcher: TemplateMatcher;
  /** Template id by name, as the matcher holds them. */
  ids: Map<string, string>;
}

/** Projects whose matchers are kept at most; the least recently used is rebuilt when asked for again. */
const MAX_PROJECTS = 1000;

export class PlanTemplates {
  readonly #matchers = new Map<string, Promise<ProjectMatcher>>();

  constructor(
    private readonly db: Kysely<ServerTables>,
    private readonly embedder: Embedder,
  ) {}

  /**
   * Stores a template; a 400 lists every problem of a bad one (its params' schemas, its examples, its plan's
   * structure), a 409 says the name is taken. The services its plan names are resolved when it is used.
   */
  async create(projectId: string, input: PlanTemplateInput): Promise<PlanTemplate> {
    const { definition, problems } = await this.#check(input);
    if (definition === undefined || problems.length > 0) throw invalidTemplate(input.name, problems);
    const row: TemplateRow = {
      id: newId('tpl'),
      project_id: projectId,
      name: definition.name,
      definition: JSON.stringify(definition),
      created_at: Date.now(),
    };
    try {
      await this.db.insertInto('baton_server_plan_templates').values(row).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw conflict('plan-template-exists', `a plan template named "${definition.name}" exists: delete it first`);
    }
    return view(row);
  }

  /**
   * The problems of a template's params, examples and plan, for a request refused for its name or description only:
   * its 400 lists these too, so one correction fixes the whole template. The body is taken as it came, unchecked.
   */
  async problemsBesidesName(body: Record<string, unknown>): Promise<Problem[]> {
    const input = { ...body, name: 'template', description: '' } as PlanTemplateInput;
    return (await this.#check(input)).problems;
  }

  async #check(input: PlanTemplateInput) {
    const check = new TemplateMatcher({ embedder: this.embedder });
    const problems = await templatePlanProblems(input.plan);
    try {
      const definition = await check.add(input);
      return { definition, problems };
    } catch (error) {
      if (!ValidationError.isInstance(error)) throw error;
      return { definition: undefined, problems: [...error.problems, ...problems] };
    }
  }

  async list(
    projectId: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: PlanTemplate[]; nextCursor: string | null }> {
    const cursor = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
    let select = this.db
      .selectFrom('baton_server_plan_templates')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (cursor !== undefined) select = select.where(olderThan(cursor));
    return keysetPage(await select.execute(), query.limit, view);
  }

  /** Deletes a template by id or name; a 404 when the project has none. */
  async remove(projectId: string, idOrName: string): Promise<void> {
    const deleted = await this.db
      .deleteFrom('baton_server_plan_templates')
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw notFound('plan template', idOrName);
  }

  /** The project's matcher, holding exactly the templates stored now. */
  async matcherFor(projectId: string): Promise<TemplateMatcher> {
    const stored = await this.db
      .selectFrom('baton_server_plan_templates')
      .select(['id', 'name'])
      .where('project_id', '=', projectId)
      .execute();
    let pending = this.#matchers.get(projectId);
    if (pending === undefined) {
      pending = Promise.resolve({ matcher: new TemplateMatcher({ embedder: this.embedder }), ids: new Map() });
      if (this.#matchers.size >= MAX_PROJECTS) this.#matchers.delete(this.#matchers.keys().next().value as string);
    }
    // Updates of one project's matcher run one after another.
    const updated = pending.then((current) => this.#sync(current, stored));
    this.#matchers.delete(projectId);
    this.#matchers.set(projectId, updated);
    updated.catch(() => this.#matchers.delete(projectId));
    return (await updated).matcher;
  }

  async #sync(current: ProjectMatcher, stored: readonly { id: string; name: string }[]): Promise<ProjectMatcher> {
    const wanted = new Map(stored.map((row) => [row.name, row.id]));
    for (const [name, id] of current.ids) {
      if (wanted.get(name) !== id) {
        current.matcher.remove(name);
        current.ids.delete(name);
      }
    }
    const missing = stored.filter((row) => !current.ids.has(row.name)).map((row) => row.id);
    if (missing.length > 0) {
      const rows = await this.db
        .selectFrom('baton_server_plan_templates')
        .selectAll()
        .where('id', 'in', missing)
        .execute();
      for (const row of rows) {
        // A template this server can no longer compile (stored by an older one: a schema pattern it now refuses)
        // answers no action; the project's others still do. Replacing or removing it syncs it again.
        await current.matcher.add(JSON.parse(row.definition) as PlanTemplateInput).catch((error: unknown) => {
          if (!ValidationError.isInstance(error)) throw error;
        });
        current.ids.set(row.name, row.id);
      }
    }
    return current;
  }
}

/** The 400 of a bad template: every problem listed, the first ones in the detail. */
function invalidTemplate(name: string, problems: readonly Problem[]) {
  const error = new ValidationError(`invalid plan template ${JSON.stringify(name)}`, problems);
  return badRequest('invalid-plan-template', error.message, problems);
}

function view(row: TemplateRow): PlanTemplate {
  const definition = JSON.parse(row.definition) as Omit<PlanTemplate, 'id' | 'createdAt'>;
  return { id: row.id, ...definition, createdAt: new Date(row.created_at).toISOString() };
}
