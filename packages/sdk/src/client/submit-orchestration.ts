/**
 * Submitting an orchestration: `orchestrate` answers once the server has accepted it (202), `runOrchestration` once it
 * has ended, in one request — `POST /v1/orchestrations?waitMs=…`, which the server holds until the end — and, when
 * that wait is over first, as `result()` does. Both send one `Idempotency-Key`, so a retried request (a dropped
 * connection, a 503) never starts a second orchestration.
 */
import { acceptedOrchestrationSchema, type CreateOrchestration, orchestrationSchema } from '@baton/protocol';
import type { HttpTransport } from './http-transport.js';
import {
  createOrchestrationRun,
  heldWaitMs,
  type OrchestrationRun,
  outcome,
  type ResultOptions,
  waitForResult,
} from './orchestration-run.js';
import { FINAL_STATUSES } from './orchestration-status.js';
import { submissionKey } from './submission-key.js';

export interface OrchestrateInput {
  /** What to do, in words: a string or `{ content }`. */
  action: string | { content: string };
  /** The request data; steps read it as `request.data.<field>`. @default {} */
  data?: Record<string, unknown>;
  /** The plan to run; the server plans one from the action when absent. */
  plan?: CreateOrchestration['plan'];
  /** A URL registered with `webhooks.create`: this orchestration's events go there too. */
  webhook?: string;
  timeoutMs?: number;
  budget?: CreateOrchestration['budget'];
  /**
   * Makes resubmitting safe: the server answers a repeated key with the first orchestration.
   * @default a new version 7 UUID (time-ordered, `submission-key.ts`)
   */
  idempotencyKey?: string;
}

function submission(input: OrchestrateInput): { headers: Record<string, string>; body: Record<string, unknown> } {
  const { idempotencyKey = submissionKey(), action, ...rest } = input;
  const body: Record<string, unknown> = { action: typeof action === 'string' ? { content: action } : action };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) body[key] = value;
  return { headers: { 'idempotency-key': idempotencyKey }, body };
}

export async function orchestrate(transport: HttpTransport, input: OrchestrateInput): Promise<OrchestrationRun> {
  const accepted = await transport.request({
    method: 'POST',
    path: '/v1/orchestrations',
    ...submission(input),
    schema: acceptedOrchestrationSchema,
    expected: 'an AcceptedOrchestration',
    idempotent: true,
  });
  return createOrchestrationRun(transport, accepted);
}

/**
 * @example
 * const result = await runOrchestration(transport, { action: 'Check the order', data: { orderId: 'A-1' }, plan });
 */
export async function runOrchestration(
  transport: HttpTransport,
  input: OrchestrateInput,
  options: ResultOptions = {},
): Promise<unknown> {
  const orchestration = await transport.request({
    method: 'POST',
    path: '/v1/orchestrations',
    query: { waitMs: heldWaitMs(transport) },
    ...submission(input),
    schema: orchestrationSchema,
    expected: 'an Orchestration',
    idempotent: true,
    signal: options.signal,
  });
  if (FINAL_STATUSES.has(orchestration.status)) return outcome(orchestration);
  return waitForResult(transport, orchestration.id, options);
}
