/** `createAdminClient`: the server admin's client, authenticated by the admin token, to create and list projects. */
import { type CreatedProject, createdProjectSchema, type Project, projectSchema } from '@baton/protocol';
import { z } from 'zod';
import { createHttpTransport, type FetchFunction } from './http-transport.js';
import type { RetryOptions } from './retry-policy.js';

export interface AdminClientOptions {
  /** The server's base URL. */
  url: string;
  /** The server's admin token; sent as `Authorization: Bearer <token>`, never in the URL. */
  adminToken: string;
  /**
   * A fetch to send every request and event stream through, e.g. one with a proxy. Without it, both go through Node's
   * `http` and `https` modules (their global keep-alive agents).
   */
  fetch?: FetchFunction;
  /** @default { retries: 3 } */
  retry?: RetryOptions | false;
  /** @default 30000 */
  timeoutMs?: number;
}

export interface BatonAdminClient {
  /** Creates a project and its first API key (shown only in this answer). */
  createProject(name: string): Promise<CreatedProject>;
  projects(): Promise<Project[]>;
}

const projectsSchema = z.object({ items: z.array(projectSchema) });

/**
 * @example
 * const admin = createAdminClient({ url: 'http://localhost:8080', adminToken: process.env.BATON_ADMIN_TOKEN! });
 * const { project, apiKey } = await admin.createProject('billing');
 */
export function createAdminClient(options: AdminClientOptions): BatonAdminClient {
  const transport = createHttpTransport({
    url: options.url,
    token: options.adminToken,
    tokenOption: 'adminToken',
    fetch: options.fetch,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
  });
  return {
    createProject: (name) =>
      transport.request({
        method: 'POST',
        path: '/v1/projects',
        body: { name },
        schema: createdProjectSchema,
        expected: 'a CreatedProject',
        idempotent: false,
      }),
    projects: async () =>
      (
        await transport.request({
          method: 'GET',
          path: '/v1/projects',
          schema: projectsSchema,
          expected: 'a list of Project',
          idempotent: true,
        })
      ).items,
  };
}
