/** The HTTP client of a Baton server: `createClient` for a project, `createAdminClient` for the server's admin. */
export { type ApiErrorFields, type ApiProblemItem, BatonApiError, parseRetryAfter } from './api-error.js';
export type { ApiKeysApi } from './api-keys-api.js';
export { BatonClientError, type ClientErrorKind, InvalidClientOptionError } from './client-error.js';
export type { CompensationFailureStatus, CompensationFailuresApi } from './compensation-failures-api.js';
export { BatonConnectionError } from './connection-error.js';
export { type AdminClientOptions, type BatonAdminClient, createAdminClient } from './create-admin-client.js';
export {
  type ApprovalStatus,
  type BatonClient,
  type ClientOptions,
  createClient,
  type ListOrchestrationsOptions,
} from './create-client.js';
export type { FetchFunction, ProbeResult } from './http-transport.js';
export type { EventsOptions, StreamedOrchestrationEvent } from './orchestration-events.js';
export { type OrchestrationErrorBody, OrchestrationFailedError } from './orchestration-failed-error.js';
export type { OrchestrationRun, ResultOptions } from './orchestration-run.js';
export { FINAL_STATUSES, TERMINAL_EVENT_TYPES } from './orchestration-status.js';
export type { Page, PageOptions } from './page.js';
export type { PlanTemplatesApi } from './plan-templates-api.js';
export { BatonProtocolError, type ProtocolErrorFields, type ProtocolIssue } from './protocol-error.js';
export type { RetryInfo, RetryOptions } from './retry-policy.js';
export { createSseParser, type SseEvent, type SseParser, type SseParserOptions } from './sse-parser.js';
export type { OrchestrateInput } from './submit-orchestration.js';
export type { CreateWebhookInput, WebhooksApi } from './webhooks-api.js';
