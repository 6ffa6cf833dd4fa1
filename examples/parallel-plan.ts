/**
 * `npm run example:plan`: registers a few local services, validates a plan that fans out to three of them in parallel
 * and joins their answers, runs it durably on the embedded SQLite store (`.baton/baton.db`), and prints every event as
 * it happens. One service fails once, to show a retry; the run's journal is verified at the end.
 */
import { createEngine, createRegistry, openStore, type Plan, RetryableError } from '@baton/core';
import { z } from 'zod';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    void timer;
  });

const registry = createRegistry();

registry.register({
  name: 'customer-data',
  // A lookup changes nothing outside the run: the steps after it need not wait for its journal entry.
  effects: 'none',
  kind: 'service',
  description: 'Retrieves a customer profile by id',
  version: '1.2.0',
  capabilities: ['customer-profile'],
  input: z.object({ customerId: z.string() }),
  output: z.object({ id: z.string(), name: z.string(), tier: z.enum(['free', 'gold']) }),
  handler: async ({ customerId }, { signal }) => {
    await sleep(40, signal);
    return { id: customerId, name: 'Jane Doe', tier: 'gold' as const };
  },
});

let catalogCalls = 0;
registry.register({
  name: 'product-catalog',
  effects: 'none',
  kind: 'service',
  description: 'Finds the products relevant to an inquiry',
  input: z.object({ inquiry: z.string() }),
  output: z.object({ products: z.array(z.object({ id: z.string(), name: z.string() })) }),
  handler: async (_input, { signal }) => {
    catalogCalls++;
    await sleep(30, signal);
    if (catalogCalls === 1) throw new RetryableError('catalog busy', { status: 503, retryAfter: 0.05 });
    return { products: [{ id: 'prod-001', name: 'Premium Analytics Suite' }] };
  },
});

registry.register({
  name: 'seller-data',
  effects: 'none',
  kind: 'service',
  description: 'Retrieves a seller profile by id',
  input: z.object({ sellerId: z.string() }),
  output: z.object({ name: z.string(), department: z.string() }),
  handler: async (_input, { signal }) => {
    await sleep(50, signal);
    return { name: 'John Smith', department: 'Enterprise Sales' };
  },
});

registry.register({
  name: 'assistant',
  kind: 'agent',
  description: 'Writes the reply to a customer inquiry',
  input: z.object({ customer: z.string(), product: z.string(), seller: z.string() }),
  output: z.object({ reply: z.string() }),
  estimate: () => ({ tokens: 300, costUsd: 0.0006 }),
  handler: async (input, { reportUsage, signal }) => {
    await sleep(20, signal);
    reportUsage({ inputTokens: 180, outputTokens: 64, costUsd: 0.00049 });
    return { reply: `Hi ${input.customer}, ${input.seller} recommends the ${input.product}.` };
  },
});

const plan: Plan = {
  steps: [
    {
      id: 'customer',
      target: { capability: 'customer-profile' },
      input: { customerId: { $ref: 'request.data.customerId' } },
    },
    {
      id: 'catalog',
      target: 'product-catalog',
      input: { inquiry: { $ref: 'request.action' } },
      policy: { retry: { maxAttempts: 3 } },
    },
    { id: 'seller', target: 'seller-data', input: { sellerId: { $ref: 'request.data.sellerId' } } },
    {
      id: 'reply',
      target: 'assistant',
      input: {
        customer: '{{steps.customer.output.name}}',
        product: { $ref: 'steps.catalog.output.products[0].name' },
        seller: { $ref: 'steps.seller.output.name' },
      },
      when: "steps.customer.output.tier == 'gold'",
    },
  ],
  output: { $ref: 'steps.reply.output.reply' },
  budget: { tokens: 2000, costUsd: 0.01 },
};

const store = await openStore();
const engine = createEngine({ registry, store });
await engine.start(); // resumes any run an earlier process left unfinished
const validation = engine.validate(plan);
if (!validation.valid) {
  console.error('invalid plan:', validation.problems);
  process.exit(1);
}
console.log('parallel groups:', JSON.stringify(validation.parallelGroups));

const request = {
  action: 'Tell me about your analytics features',
  data: { customerId: 'cust-12345', sellerId: 'sell-98765' },
};
const run = engine.run(validation.plan, request, { deadline: 10_000 });
const started = Date.now();
for await (const event of run) {
  const at = `+${String(Date.now() - started).padStart(4)}ms`;
  const step = ('stepId' in event ? event.stepId : undefined) ?? '';
  const detail =
    event.type === 'step-start'
      ? event.target
      : event.type === 'step-retry'
        ? `${event.error.message}, again in ${event.delayMs} ms`
        : '';
  console.log(`${at}  ${event.type.padEnd(12)} ${step.padEnd(9)} ${detail ?? ''}`);
}
const result = await run.result();
console.log(`\noutput: ${JSON.stringify(result.output)}`);
console.log(`usage:  ${result.usage.tokens} tokens, $${result.usage.costUsd.toFixed(5)}`);
const journal = await engine.verifyJournal(run.runId);
console.log(`journal: ${journal.entries} entries, hash chain ${journal.ok ? 'intact' : 'BROKEN'} (.baton/baton.db)`);
await engine.close();
await store.close();
