import { createService, memoryInstanceStore } from '@baton/sdk';
import { startTestServer } from './server-test-kit.js';
const t = await startTestServer();
const size = 10 * 1024 * 1024;
const service = createService({ name: 'big', description: 'x', instanceStore: memoryInstanceStore(),
  handler: async (input) => { console.log('handler got', (input as any).blob.length, performance.now() | 0); const text = (input as { blob: string }).blob; return { length: text.length, back: text.replace(/a/g, 'b') }; } });
service.subscribe((e) => { if (!e.type.startsWith('task')) console.log('svc event', e.type, JSON.stringify(e).slice(0, 200)); });
await service.start({ url: t.server.url, apiKey: t.apiKey });
console.log('start', performance.now() | 0);
const submitted = await t.request('/v1/orchestrations', { method: 'POST', body: JSON.stringify({ action: { content: 'x' }, data: { blob: 'a'.repeat(size) }, plan: { steps: [{ id: 'big', target: 'big', input: { blob: { $ref: 'request.data.blob' } } }] } }) });
console.log('submitted', submitted.status, performance.now() | 0);
const { id } = await submitted.json() as any;
for (;;) {
  const r = await t.request(`/v1/orchestrations/${id}`);
  const v = await r.json() as any;
  console.log('status', v.status, performance.now() | 0, JSON.stringify(v.error ?? v.steps?.[0]?.status ?? '').slice(0, 300));
  if (v.status !== 'running') break;
  await new Promise((res) => setTimeout(res, 500));
}
await service.stop(); await t.close();
