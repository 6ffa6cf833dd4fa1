/** `client.apiKeys`: create, list and revoke the project's API keys. */
import { type ApiKey, apiKeySchema, type CreatedApiKey, createdApiKeySchema } from '@baton/protocol';
import { z } from 'zod';
import type { HttpTransport } from './http-transport.js';

export interface ApiKeysApi {
  /** Creates a key; its `key` is shown only in this answer. */
  create(name: string): Promise<CreatedApiKey>;
  list(): Promise<ApiKey[]>;
  revoke(id: string): Promise<void>;
}

const listSchema = z.object({ items: z.array(apiKeySchema) });

export function createApiKeysApi(transport: HttpTransport): ApiKeysApi {
  return {
    create: (name) =>
      transport.request({
        method: 'POST',
        path: '/v1/api-keys',
        body: { name },
        schema: createdApiKeySchema,
        expected: 'a CreatedApiKey',
        idempotent: false,
      }),
    list: async () => {
      const page = await transport.request({
        method: 'GET',
        path: '/v1/api-keys',
        schema: listSchema,
        expected: 'a list of ApiKey',
        idempotent: true,
      });
      return page.items;
    },
    revoke: (id) =>
      transport.request({
        method: 'DELETE',
        path: `/v1/api-keys/${encodeURIComponent(id)}`,
        schema: null,
        expected: 'no body',
        idempotent: true,
      }),
  };
}
