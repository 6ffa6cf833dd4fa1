/**
 * Planning for each project: the targets a plan may name (the project's services, by plain name, with their schemas
 * and revisions), and the project's `ActionPlanner` — its templates, its own plan cache, and the server's model when
 * one is configured. Plans are validated by the caller (the orchestrations, which scope them to the project).
 */
import type { Embedder } from '@baton/cache';
import type { Plan, Problem } from '@baton/core';
import { ActionPlanner, type ActionRequest, type LlmPlanner, PlanCache, type PlanningTarget } from '@baton/llm';
import type { ServiceCatalog } from '../services/service-catalog.js';
import { revisionVersion } from '../services/target-name.js';
import { type DataConflict, findDataConflict } from './data-conflict.js';
import type { PlanTemplates } from './plan-templates.js';

/** Projects whose plan caches are kept at most; the least recently used is dropped. */
const MAX_PROJECTS = 1000;

export class ProjectPlanning {
  readonly #caches = new Map<string, PlanCache>();

  constructor(
    private readonly catalog: ServiceCatalog,
    readonly templates: PlanTemplates,
    private readonly embedder: Embedder,
    private readonly llm: LlmPlanner | undefined,
  ) {}

  get hasModel(): boolean {
    return this.llm !== undefined;
  }

  /** The planning model's id, or '' without one. */
  get modelId(): string {
    return this.llm?.modelId ?? '';
  }

  /** The project's services as planning targets, by name. */
  async targets(projectId: string): Promise<PlanningTarget[]> {
    const parse = (text: string | null) => (text === null ? undefined : (JSON.parse(text) as unknown));
    return (await this.catalog.list(projectId)).map((row) => ({
      name: row.name,
      kind: row.kind === 'agent' ? 'agent' : 'service',
      version: revisionVersion(row.revision),
      description: row.description,
      inputSchema: parse(row.input_schema),
      outputSchema: parse(row.output_schema),
    }));
  }

  /** What a planner needs for `action` in `projectId`, with `validate` giving a plan's problems. */
  async request(
    projectId: string,
    action: string,
    data: Readonly<Record<string, unknown>>,
    validate: (plan: Plan) => Promise<readonly Problem[]>,
    signal?: AbortSignal,
  ): Promise<ActionRequest> {
    return { action, data, targets: await this.targets(projectId), validate, ...(signal ? { signal } : {}) };
  }

  /** The template whose words `action` matched but whose params `data` contradicts, when no template took it. */
  async dataConflict(
    projectId: string,
    action: string,
    data: Readonly<Record<string, unknown>>,
  ): Promise<DataConflict | undefined> {
    return findDataConflict(await this.templates.matcherFor(projectId), action, data);
  }

  async planner(projectId: string): Promise<ActionPlanner> {
    return new ActionPlanner({
      templates: await this.templates.matcherFor(projectId),
      cache: this.#cacheFor(projectId),
      ...(this.llm ? { llm: this.llm } : {}),
    });
  }

  #cacheFor(projectId: string): PlanCache {
    let cache = this.#caches.get(projectId);
    if (cache === undefined) {
      cache = new PlanCache({ embedder: this.embedder });
      if (this.#caches.size >= MAX_PROJECTS) this.#caches.delete(this.#caches.keys().next().value as string);
    }
    this.#caches.delete(projectId);
    this.#caches.set(projectId, cache);
    return cache;
  }
}
