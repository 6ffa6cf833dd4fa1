/** `client.compensationFailures`: compensations that failed for good, and closing them once handled by hand. */
import { type COMPENSATION_STATUSES, type CompensationFailure, compensationFailureSchema } from '@baton/protocol';
import { z } from 'zod';
import type { HttpTransport } from './http-transport.js';

export type CompensationFailureStatus = (typeof COMPENSATION_STATUSES)[number];

export interface CompensationFailuresApi {
  list(options?: { status?: CompensationFailureStatus }): Promise<CompensationFailure[]>;
  /** Marks it resolved: the effect was undone by other means. */
  resolve(id: string, reason: string): Promise<CompensationFailure>;
  /** Marks it ignored: the effect may stay. */
  ignore(id: string, reason: string): Promise<CompensationFailure>;
}

const listSchema = z.object({ items: z.array(compensationFailureSchema) });

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
    list: async (options = {}) => {
      const page = await transport.request({
        method: 'GET',
        path: '/v1/compensation-failures',
        query: { status: options.status },
        schema: listSchema,
        expected: 'a list of CompensationFailure',
        idempotent: true,
      });
      return page.items;
    },
    resolve: (id, reason) => close(id, 'resolve', reason),
    ignore: (id, reason) => close(id, 'ignore', reason),
  };
}
