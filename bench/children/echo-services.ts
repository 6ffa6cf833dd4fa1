/**
 * Bench child: SDK services named in the argument, each returning its input, connected to a Baton server.
 * Argument: `{ url, apiKey, services: string[] }`.
 */
import { createService, memoryInstanceStore } from '@baton/sdk';
import { childArgs, sendToParent, serveParent } from './child-ipc.js';

const { url, apiKey, services } = childArgs<{ url: string; apiKey: string; services: string[] }>();
const started = services.map((name) =>
  createService({
    name,
    description: `Returns its input (${name})`,
    instanceStore: memoryInstanceStore(),
    handler: async (input: unknown) => input,
  }),
);
for (const service of started) await service.start({ url, apiKey });
serveParent(async () => {
  for (const service of started) await service.stop({ timeoutMs: 1000 });
});
sendToParent({ type: 'ready' });
