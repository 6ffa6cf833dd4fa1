/** Registered services and agents, as `GET /v1/services` shows them. */
import { z } from 'zod';
import { idSchema, isoTimeSchema } from './common.js';

export const serviceInstanceSchema = z
  .object({
    id: idSchema,
    /** `up`: takes tasks; `draining`: finishing its tasks, takes no new ones; `down`: missed its heartbeats. */
    status: z.enum(['up', 'draining', 'down']),
    connectedAt: isoTimeSchema,
    lastSeenAt: isoTimeSchema,
    /** Tasks sent and not yet answered. */
    outstanding: z.number().int(),
    maxConcurrency: z.number().int(),
    /**
     * The schema revision it registered (the service's `version` when it registered that schema): while a service is
     * redeployed with a changed schema, instances of the old revision finish the runs that resolved it. Null for an
     * instance another replica listed before it recorded revisions.
     */
    version: z.number().int().nullable(),
  })
  .meta({ id: 'ServiceInstance' });

export const serviceSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    kind: z.enum(['service', 'agent']),
    description: z.string(),
    /** The server's revision of the schemas: grows by one whenever they change. */
    version: z.number().int(),
    /** The version label the service gave, if any. */
    declaredVersion: z.string().nullable(),
    input: z.record(z.string(), z.unknown()).nullable(),
    output: z.record(z.string(), z.unknown()).nullable(),
    revertible: z.boolean(),
    effectFree: z.boolean(),
    /**
     * `healthy`: an instance takes tasks; `degraded`: instances are connected but the breaker of the current revision
     * is open (its tasks fail fast until a trial call succeeds); `down`: none connected.
     */
    health: z.enum(['healthy', 'degraded', 'down']),
    instances: z.array(serviceInstanceSchema),
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .meta({ id: 'Service' });

export type ServiceInstance = z.infer<typeof serviceInstanceSchema>;
export type Service = z.infer<typeof serviceSchema>;
