/**
 * `client.planTemplates`: the plans an operator approved for actions in plain words. The server matches an action
 * against each template's examples before it asks a model, so a known request gets a known plan.
 */
import { type PlanTemplate, type PlanTemplateInput, planTemplatePageSchema, planTemplateSchema } from '@baton/protocol';
import type { z } from 'zod';
import type { HttpTransport } from './http-transport.js';
import { type Page, type PageOptions, paginate } from './page.js';

export interface PlanTemplatesApi {
  /**
   * Adds a template. The server refuses an invalid one with every problem (400) and a name in use (409).
   *
   * @example
   * await client.planTemplates.create({ name: 'weather', examples: ['Weather in {city}?'], params: { city: { type: 'string' } }, plan });
   */
  create(definition: PlanTemplateInput): Promise<PlanTemplate>;
  /** One page of templates. */
  list(options?: PageOptions): Promise<Page<PlanTemplate>>;
  /** Every template, page after page. */
  listAll(options?: Omit<PageOptions, 'cursor'>): AsyncIterable<PlanTemplate>;
  /** Removes a template by its id or its name. */
  remove(idOrName: string): Promise<void>;
}

const PATH = '/v1/plan-templates';

export function createPlanTemplatesApi(transport: HttpTransport): PlanTemplatesApi {
  const list = (options: PageOptions = {}) =>
    transport.request({
      method: 'GET',
      path: PATH,
      query: { limit: options.limit, cursor: options.cursor },
      schema: planTemplatePageSchema as z.ZodType<Page<PlanTemplate>>,
      expected: 'a page of PlanTemplate',
      idempotent: true,
    });
  return {
    create: (definition) =>
      transport.request({
        method: 'POST',
        path: PATH,
        body: definition,
        schema: planTemplateSchema,
        expected: 'a PlanTemplate',
        idempotent: false,
      }),
    list,
    listAll: (options = {}) =>
      paginate((cursor) => list({ ...options, cursor }), { method: 'GET', url: transport.url(PATH) }),
    remove: (idOrName) =>
      transport.request({
        method: 'DELETE',
        path: `${PATH}/${encodeURIComponent(idOrName)}`,
        schema: null,
        expected: 'no body',
        idempotent: true,
      }),
  };
}
