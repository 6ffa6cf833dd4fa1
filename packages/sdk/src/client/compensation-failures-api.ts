/** `client.compensationFailures`: compensations that failed for good, and closing them once handled by hand. */
import {
  type COMPENSATION_STATUSES,
  type CompensationFailure,
  compensationFailureSchema,
  pageOf,
} from '@baton/protocol';
import type { HttpTransport } from './http-transport.js';
import { everyItem } from './page.js';

export type CompensationFailureStatus = (typeof COMPENSATION_STATUSES)[number];

export interface CompensationFailuresApi {
  /** The project's failed compensations, oldest first: every page, fetched in turn. */
  list(options?: { status?: CompensationFailureStatus; orchestrationId?: string }): Promise<CompensationFailure[]>;
  /** Marks it resolved: the effect was undone by other means. */
  resolve(id: string, reason: string): Promise<CompensationFailure>;
  /** Marks it ignored: the effect may stay. */
  ignore(id: string, reason: string): Promise<CompensationFailure>;
}

const pageSchema = pageOf(compensationFailureSchema);

export function createCompensationFailuresApi(transport: HttpTransport): CompensationFailuresApi {
  const close = (id: string, action: 'resolve' | 'ignore', reason: string) =>
    transport.request({
      method: 'POST',
      path: `/v1/compensation-failures/${encodeURIComponent(id)}/${action}`,
      body: { reason },
      schema: compensationFailureSchema,
      expected: 'a CompensationFailure',
      idempotent: false,
    });
  return {
    list: (options = {}) =>
      everyItem(transport, {
        path: '/v1/compensation-failures',
        query: { status: options.status, orchestrationId: options.orchestrationId },
        schema: pageSchema,
        expected: 'a page of CompensationFailure',
      }),
    resolve: (id, reason) => close(id, 'resolve', reason),
    ignore: (id, reason) => close(id, 'ignore', reason),
  };
}
