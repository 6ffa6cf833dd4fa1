import { type BatonClient, createClient, createService, memoryInstanceStore } from '@baton/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, startCliTestServer, waitFor } from '../cli-test-kit.js';

let t: CliTestServer;
let client: BatonClient;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  t = await startCliTestServer();
  client = createClient({ url: t.url, apiKey: t.apiKey });
  const services = [
    createService({
      name: 'pay',
      description: 'Pays what was approved',
      instanceStore: memoryInstanceStore(),
      handler: async (input) => ({ paid: input }),
    }),
    createService({
      name: 'undo',
      description: 'Revertible, but its revert fails',
      instanceStore: memoryInstanceStore(),
      handler: async () => ({ done: true }),
      // A wait longer than the engine's compensation TTL: the compensation is recorded as failed at once.
      revert: async () => {
        throw Object.assign(new Error('cannot undo'), { retryable: false, retryAfterMs: 3_600_000 });
      },
    }),
    createService({
      name: 'fail',
      description: 'Fails',
      instanceStore: memoryInstanceStore(),
      handler: async () => {
        throw Object.assign(new Error('boom'), { retryable: false });
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

const approvalPlan = {
  steps: [
    { id: 'ok', approval: { prompt: 'Pay the invoice?', data: { amount: 100 } } },
    { id: 'pay', target: 'pay', input: { $ref: 'steps.ok.output' } },
  ],
};

async function pendingApproval(orchestrationId: string) {
  return waitFor(
    async () =>
      (await client.approvals({ status: 'pending' })).find((item) => item.orchestrationId === orchestrationId),
    'the approval to be pending',
  );
}

describe('baton approvals', () => {
  it('ls shows the pending one; approve with --data lets the orchestration go on with that data', async () => {
    const run = await client.orchestrate({ action: 'Pay after approval', plan: approvalPlan });
    const approval = await pendingApproval(run.id);
    const listed = await t.baton(['approvals', 'ls', '--status', 'pending']);
    expect(listed.stdout).toMatch(
      new RegExp(`${approval.id}\\s+${run.id}\\s+ok\\s+pending\\s+-\\s+Pay the invoice\\?`),
    );
    const approved = await t.baton(['approvals', 'approve', approval.id, '--data', '{"amount":80}']);
    expect([approved.code, approved.stdout.trim()]).toEqual([0, `Approval ${approval.id} approved.`]);
    expect(await run.result()).toMatchObject({ pay: { paid: { decision: 'approved', data: { amount: 80 } } } });
    const json = JSON.parse((await t.baton(['approvals', 'ls', '--status', 'approved', '--json'])).stdout);
    expect(json).toContainEqual(expect.objectContaining({ id: approval.id, status: 'approved' }));
  });

  it('reject needs --reason; a decided approval is refused (exit 6)', async () => {
    const run = await client.orchestrate({ action: 'Pay, but no', plan: approvalPlan });
    const approval = await pendingApproval(run.id);
    const missing = await t.baton(['approvals', 'reject', approval.id]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--reason <text>' not specified");
    const rejected = await t.baton(['approvals', 'reject', approval.id, '--reason', 'too much', '--json']);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ id: approval.id, status: 'rejected' });
    const again = await t.baton(['approvals', 'approve', approval.id]);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/^baton: the server refused: .*\(409 /);
  });

  it('approve with --data that is not JSON is a usage mistake (exit 2)', async () => {
    const result = await t.baton(['approvals', 'approve', 'apr_x', '--data', '{amount:1}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^baton: --data must be JSON, got "\{amount:1\}"/);
  });
});

describe('baton comp-fail', () => {
  it('ls shows compensations that failed for good; resolve and ignore close them with a reason', async () => {
    const run = await client.orchestrate({
      action: 'Undo fails',
      plan: {
        steps: [
          { id: 'first', target: 'undo', input: {} },
          { id: 'second', target: 'undo', input: {} },
          { id: 'boom', target: 'fail', input: {}, dependsOn: ['first', 'second'] },
        ],
      },
    });
    await run.result().catch(() => undefined);
    const failures = await waitFor(async () => {
      const items = await client.compensationFailures.list({ status: 'open' });
      return items.length >= 2 ? items : undefined;
    }, 'two failed compensations');
    const listed = await t.baton(['comp-fail', 'ls']);
    for (const failure of failures) {
      expect(listed.stdout).toMatch(
        new RegExp(
          `${failure.id}\\s+${run.id}\\s+${failure.stepId}\\s+undo\\S*\\s+open\\s+\\S+ \\S+\\s+"?.*cannot undo`,
        ),
      );
    }
    const [first, second] = failures as [(typeof failures)[number], (typeof failures)[number]];
    const resolved = await t.baton(['comp-fail', 'resolve', first.id, '--reason', 'undone by hand']);
    expect(resolved.stdout.trim()).toBe(`Compensation failure ${first.id} resolved.`);
    const ignored = await t.baton(['comp-fail', 'ignore', second.id, '--reason', 'test data', '--json']);
    expect(JSON.parse(ignored.stdout)).toMatchObject({ id: second.id, status: 'ignored', reason: 'test data' });
    expect((await t.baton(['comp-fail', 'ls', '--status', 'open'])).stdout.trim()).toBe('No failed compensations.');
    const bad = await t.baton(['comp-fail', 'ls', '--status', 'closed']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status must be one of open, resolved, ignored; got "closed"/);
  });
});
