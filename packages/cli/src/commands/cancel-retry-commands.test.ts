import { type BatonClient, createClient, createService, memoryInstanceStore } from '@baton/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, hasStack, startCliTestServer, waitFor } from '../cli-test-kit.js';

let t: CliTestServer;
let client: BatonClient;
const stops: Array<() => Promise<void>> = [];
/** How many times `flaky` has been called: it fails the first time, and works from then on. */
let flakyCalls = 0;

beforeAll(async () => {
  t = await startCliTestServer();
  client = createClient({ url: t.url, apiKey: t.apiKey });
  const services = [
    createService({
      name: 'slow',
      description: 'Runs until cancelled',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object' },
      handler: (_input: unknown, context) =>
        new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('stopped')))),
    }),
    createService({
      name: 'flaky',
      description: 'Fails its first call only',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object' },
      handler: async () => {
        flakyCalls += 1;
        if (flakyCalls === 1) throw Object.assign(new Error('not yet'), { retryable: false });
        return { calls: flakyCalls };
      },
    }),
  ];
  for (const service of services) {
    await service.start({ url: t.url, apiKey: t.apiKey });
    stops.push(() => service.stop());
  }
});

afterAll(async () => {
  for (const stop of stops.splice(0)) await stop();
  await t.close();
});

const slowPlan = { steps: [{ id: 'wait', target: 'slow', input: {} }] };

async function running(action: string) {
  const run = await client.orchestrate({ action, plan: slowPlan });
  await waitFor(
    async () => (await client.get(run.id)).steps.some((step) => step.status === 'running') || undefined,
    'the slow step to run',
  );
  return run;
}

describe('baton cancel', () => {
  it('cancels a running orchestration with its reason, in one line; exit 0', async () => {
    const run = await running('Cancel me');
    const result = await t.baton(['cancel', run.id, '--reason', 'changed my mind']);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Orchestration ${run.id} (cancelled\\.|is being cancelled: baton logs ${run.id} -f follows it to the end)$`,
        ),
      ),
    ]);
    expect(result.stderr).toBe('');
    const final = await waitFor(async () => {
      const view = await client.get(run.id);
      return view.status === 'cancelled' ? view : undefined;
    }, 'the orchestration to be cancelled');
    expect(JSON.stringify(final.error)).toContain('changed my mind');
  });

  it('--json prints the orchestration', async () => {
    const run = await running('Cancel me as JSON');
    const result = await t.baton(['cancel', run.id, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: run.id });
  });

  it('an orchestration that has ended: exit 6 and one line saying there is nothing to cancel, no stack', async () => {
    const run = await running('Cancel me twice');
    await client.cancel(run.id);
    await run.result().catch(() => undefined);
    const result = await t.baton(['cancel', run.id]);
    expect(result.code).toBe(6);
    expect(result.stderr.trim().split('\n')).toEqual([
      `baton: the server refused: orchestration "${run.id}" has finished; there is nothing to cancel (409 orchestration-finished, POST /v1/orchestrations/${run.id}/cancel)`,
    ]);
    expect(hasStack(result.stderr)).toBe(false);
    expect(result.stdout).toBe('');
  });

  it('an unknown id: exit 6', async () => {
    const result = await t.baton(['cancel', 'orc_nope']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^baton: the server refused: .*orc_nope.*\(404 /);
  });
});

describe('baton retry', () => {
  it('runs a failed orchestration again, in one line; exit 0, and it then succeeds', async () => {
    const run = await client.orchestrate({
      action: 'Try twice',
      plan: { steps: [{ id: 'try', target: 'flaky', input: {} }] },
    });
    await expect(run.result()).rejects.toThrow(/not yet/);
    const result = await t.baton(['retry', run.id]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`Orchestration ${run.id} running again: baton logs ${run.id} -f follows it`);
    expect(await client.result(run.id)).toEqual({ try: { calls: 2 } });
  });

  it('--timeout gives the retry its deadline: the slow step times out again, under the new one', async () => {
    const run = await client.orchestrate({ action: 'Time out', plan: slowPlan, timeoutMs: 200 });
    await expect(run.result()).rejects.toThrow(/200 ms/);
    const result = await t.baton(['retry', run.id, '--timeout', '250']);
    expect(result.code).toBe(0);
    await expect(client.result(run.id)).rejects.toThrow(/250 ms/);
    const bad = await t.baton(['retry', run.id, '--timeout', '0']);
    expect(bad.code).toBe(2);
  });

  it('--json prints the accepted orchestration; an orchestration that did not fail: exit 6, one line', async () => {
    const run = await running('Retry when cancelled');
    await client.cancel(run.id);
    await run.result().catch(() => undefined);
    const accepted = await t.baton(['retry', run.id, '--json']);
    expect(accepted.code).toBe(0);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ id: run.id, status: 'running' });
    const again = await t.baton(['retry', run.id]);
    expect(again.code).toBe(6);
    expect(again.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^baton: the server refused: orchestration "${run.id}" (?:is \\w+|succeeded); only a failed or cancelled one can be retried \\(409 orchestration-not-failed, POST /v1/orchestrations/${run.id}/retry\\)$`,
        ),
      ),
    ]);
    expect(hasStack(again.stderr)).toBe(false);
    await client.cancel(run.id);
  });
});
