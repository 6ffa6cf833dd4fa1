import {
  type APPROVAL_STATUSES,
  type Approval,
  acceptedOrchestrationSchema,
  approvalSchema,
  type Orchestration,
  type OrchestrationStatus,
  type OrchestrationSummary,
  orchestrationSchema,
  orchestrationSummarySchema,
  pageOf,
  type Service,
  serviceSchema,
} from '@baton/protocol';
import { z } from 'zod';
import { type ApiKeysApi, createApiKeysApi } from './api-keys-api.js';
import { type CompensationFailuresApi, createCompensationFailuresApi } from './compensation-failures-api.js';
import { createHttpTransport, type FetchFunction, type HttpTransport, type ProbeResult } from './http-transport.js';
import {
  type EventsOptions,
  followOrchestrationEvents,
  type StreamedOrchestrationEvent,
} from './orchestration-events.js';
import {
  createOrchestrationRun,
  type OrchestrationRun,
  type ResultOptions,
  waitForResult,
} from './orchestration-run.js';
import { getOrchestration, orchestrationPath } from './orchestration-status.js';
import { everyItem, type Page, type PageOptions, paginate } from './page.js';
import { createPlanTemplatesApi, type PlanTemplatesApi } from './plan-templates-api.js';
import type { RetryOptions } from './retry-policy.js';
import { type OrchestrateInput, orchestrate, runOrchestration } from './submit-orchestration.js';
import { createWebhooksApi, type WebhooksApi } from './webhooks-api.js';

export interface ClientOptions {
  /** The server's base URL, e.g. `https://baton.example.com` (a path prefix is kept). */
  url: string;
  /** A project API key; sent as `Authorization: Bearer <key>`, never in the URL. */
  apiKey: string;
  /**
   * A fetch to send every request and event stream through, e.g. one with a proxy. Without it, both go through Node's
   * `http` and `https` modules (their global keep-alive agents).
   */
  fetch?: FetchFunction;
  /** When to retry; `false` never retries (and `events()` never reconnects). @default { retries: 3 } */
  retry?: RetryOptions | false;
  /** How long one request may take, body included; for an event stream, how long until its head comes. @default 30000 */
  timeoutMs?: number;
}

export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ListOrchestrationsOptions extends PageOptions {
  status?: OrchestrationStatus;
}

export interface BatonClient {
  /** Submits an orchestration (`POST /v1/orchestrations`), retried safely under one `Idempotency-Key`. */
  orchestrate(input: OrchestrateInput): Promise<OrchestrationRun>;
  /**
   * Submits an orchestration and waits for its outcome, in one request when it ends within the server's wait:
   * resolves with its `result`, rejects with `OrchestrationFailedError` when it failed or was cancelled.
   */
  run(input: OrchestrateInput, options?: ResultOptions): Promise<unknown>;
  get(id: string): Promise<Orchestration>;
  /** One page of orchestrations. */
  list(options?: ListOrchestrationsOptions): Promise<Page<OrchestrationSummary>>;
  /** Every orchestration, page after page. */
  listAll(options?: Omit<ListOrchestrationsOptions, 'cursor'>): AsyncIterable<OrchestrationSummary>;
  cancel(id: string, reason?: string): Promise<Orchestration>;
  /**
   * Runs a failed or cancelled orchestration again from its failed steps; `timeoutMs` replaces its own deadline
   * (counted from the retry either way).
   */
  retry(id: string, options?: { timeoutMs?: number }): Promise<OrchestrationRun>;
  /** Follows an orchestration's events to its final one (see `OrchestrationRun.events`). */
  events(id: string, options?: EventsOptions): AsyncIterable<StreamedOrchestrationEvent>;
  /** Waits for an orchestration's outcome (see `OrchestrationRun.result`). */
  result(id: string, options?: ResultOptions): Promise<unknown>;
  /** The project's approvals, oldest first: every page, fetched in turn. */
  approvals(options?: { status?: ApprovalStatus; orchestrationId?: string }): Promise<Approval[]>;
  approve(approvalId: string, data?: unknown): Promise<Approval>;
  reject(approvalId: string, reason: string): Promise<Approval>;
  services(): Promise<Service[]>;
  service(id: string): Promise<Service>;
  removeService(id: string): Promise<void>;
  readonly apiKeys: ApiKeysApi;
  readonly webhooks: WebhooksApi;
  readonly compensationFailures: CompensationFailuresApi;
  /** The plans an operator approved for actions in plain words (`/v1/plan-templates`). */
  readonly planTemplates: PlanTemplatesApi;
  /** `GET /health`, unauthenticated; resolves whatever the status. */
  health(): Promise<ProbeResult>;
  /** `GET /ready`, unauthenticated; `ok` is false while the server is not ready (503). */
  ready(): Promise<ProbeResult>;
}

const orchestrationPageSchema = pageOf(orchestrationSummarySchema) as z.ZodType<Page<OrchestrationSummary>>;
const approvalPageSchema = pageOf(approvalSchema);
const servicesSchema = z.object({ items: z.array(serviceSchema) });

/**
 * @example
 * const baton = createClient({ url: 'http://localhost:8080', apiKey: process.env.BATON_API_KEY! });
 * const run = await baton.orchestrate({ action: 'Summarize the ticket', data: { ticketId: 'T-1' } });
 * for await (const event of run.events()) console.log(event.type);
 * console.log(await run.result());
 */
export function createClient(options: ClientOptions): BatonClient {
  const transport = createHttpTransport({
    url: options.url,
    token: options.apiKey,
    tokenOption: 'apiKey',
    fetch: options.fetch,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
  });
  const list = (query: ListOrchestrationsOptions = {}) =>
    transport.request({
      method: 'GET',
      path: '/v1/orchestrations',
      query: { status: query.status, limit: query.limit, cursor: query.cursor },
      schema: orchestrationPageSchema,
      expected: 'a page of OrchestrationSummary',
      idempotent: true,
    });

  return {
    orchestrate: (input) => orchestrate(transport, input),
    run: (input, runOptions) => runOrchestration(transport, input, runOptions),
    get: (id) => getOrchestration(transport, id),
    list,
    listAll: (query = {}) =>
      paginate((cursor) => list({ ...query, cursor }), { method: 'GET', url: transport.url('/v1/orchestrations') }),
    cancel: (id, reason) =>
      transport.request({
        method: 'POST',
        path: orchestrationPath(id, '/cancel'),
        body: reason === undefined ? {} : { reason },
        schema: orchestrationSchema,
        expected: 'an Orchestration',
        idempotent: false,
      }),
    retry: async (id, retryOptions) => {
      const accepted = await transport.request({
        method: 'POST',
        path: orchestrationPath(id, '/retry'),
        body: retryOptions?.timeoutMs === undefined ? {} : { timeoutMs: retryOptions.timeoutMs },
        schema: acceptedOrchestrationSchema,
        expected: 'an AcceptedOrchestration',
        idempotent: false,
      });
      return createOrchestrationRun(transport, accepted);
    },
    events: (id, eventsOptions) => followOrchestrationEvents(transport, id, eventsOptions),
    result: (id, resultOptions) => waitForResult(transport, id, resultOptions),
    approvals: (query = {}) =>
      everyItem(transport, {
        path: '/v1/approvals',
        query: { status: query.status, orchestrationId: query.orchestrationId },
        schema: approvalPageSchema,
        expected: 'a page of Approval',
      }),
    approve: (approvalId, data) => answerApproval(transport, approvalId, 'approve', data === undefined ? {} : { data }),
    reject: (approvalId, reason) => answerApproval(transport, approvalId, 'reject', { reason }),
    services: async () =>
      (
        await transport.request({
          method: 'GET',
          path: '/v1/services',
          schema: servicesSchema,
          expected: 'a list of Service',
          idempotent: true,
        })
      ).items,
    service: (id) =>
      transport.request({
        method: 'GET',
        path: `/v1/services/${encodeURIComponent(id)}`,
        schema: serviceSchema,
        expected: 'a Service',
        idempotent: true,
      }),
    removeService: (id) =>
      transport.request({
        method: 'DELETE',
        path: `/v1/services/${encodeURIComponent(id)}`,
        schema: null,
        expected: 'no body',
        idempotent: true,
      }),
    apiKeys: createApiKeysApi(transport),
    webhooks: createWebhooksApi(transport),
    compensationFailures: createCompensationFailuresApi(transport),
    planTemplates: createPlanTemplatesApi(transport),
    health: () => transport.probe('/health'),
    ready: () => transport.probe('/ready'),
  };
}

function answerApproval(
  transport: HttpTransport,
  approvalId: string,
  answer: 'approve' | 'reject',
  body: Record<string, unknown>,
): Promise<Approval> {
  return transport.request({
    method: 'POST',
    path: `/v1/approvals/${encodeURIComponent(approvalId)}/${answer}`,
    body,
    schema: approvalSchema,
    expected: 'an Approval',
    idempotent: false,
  });
}
