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
    expect(missing.stderr.trim()).toBe("baton: required option '--reason <text>' not specified");
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
    // --data-json, as `baton run` names it, is read the same way.
    const named = await t.baton(['approvals', 'approve', 'apr_x', '--data-json', '{amount:1}']);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^baton: --data-json must be JSON, got "\{amount:1\}"/);
    const both = await t.baton(['approvals', 'approve', 'apr_x', '--data', '{}', '--data-json', '{}']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^baton: give the approved data once: --data or --data-json, not both/);
  });
});

describe('an orchestration after its approval was decided', () => {
  /** An orchestration waiting, parked, for its approval; the approval's id. */
  async function parkedForApproval(action: string) {
    const run = await client.orchestrate({ action, plan: approvalPlan });
    const approval = await pendingApproval(run.id);
    await waitFor(async () => (await client.get(run.id)).status === 'waiting' || undefined, 'the run to park');
    return { run, approvalId: approval.id };
  }

  it('inspect says the approval step was rejected, with the reason, and that the step after it never ran', async () => {
    const { run, approvalId } = await parkedForApproval('Pay, but no, then look');
    expect((await t.baton(['approvals', 'reject', approvalId, '--reason', 'too much'])).code).toBe(0);
    await run.result().catch(() => undefined);
    const shown = await t.baton(['inspect', run.id]);
    expect(shown.stdout).toMatch(/ ok +→ approval +✗ rejected: too much {2}1 attempt/);
    expect(shown.stdout).toMatch(/ pay +→ pay +⊘ cancelled: not run, approval ok was rejected\n/);
    expect(shown.stdout).not.toMatch(/ ok .*cancelled/);
    const detailed = await t.baton(['inspect', run.id, '--detailed']);
    expect(detailed.stdout).toMatch(/\n {2}ok: rejected: too much, service -, 1 attempt\(s\)/);
  });

  it('logs has a line for the decision and one for the run resuming, for a rejection and for an approval', async () => {
    const no = await parkedForApproval('Pay, but no, then read the log');
    await t.baton(['approvals', 'reject', no.approvalId, '--reason', 'too much']);
    await no.run.result().catch(() => undefined);
    const rejected = (await t.baton(['logs', no.run.id])).stdout.trimEnd().split('\n');
    expect(rejected.map((line) => line.split(/\s+/)[1])).toEqual([
      'run-start',
      'approval-request',
      'run-park',
      'approval-decision',
      'run-resume',
      'run-fail',
    ]);
    expect(rejected[1]).toMatch(
      new RegExp(` ok +waits for a person: baton approvals approve\\|reject ${no.approvalId}$`),
    );
    expect(rejected[2]).toMatch(/ - +parked: stored until a person decides or a timer fires$/);
    expect(rejected[3]).toMatch(new RegExp(` ok +approval ${no.approvalId} rejected: "too much"$`));
    expect(rejected[4]).toMatch(/ - +running again \(parked since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)$/);

    const yes = await parkedForApproval('Pay after a yes, then read the log');
    await t.baton(['approvals', 'approve', yes.approvalId]);
    await yes.run.result();
    const approved = (await t.baton(['logs', yes.run.id])).stdout;
    expect(approved).toMatch(
      new RegExp(`approval-decision +ok +approval ${yes.approvalId} approved\\n\\S+ {2}run-resume +- +running again`),
    );
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
    // The log goes on past the run's end with what its compensations did (the SDK's stream stops at run-fail).
    const logged = (await t.baton(['logs', run.id])).stdout.trimEnd().split('\n');
    const ended = logged.findIndex((line) => line.split(/\s+/)[1] === 'run-fail');
    expect(ended).toBeGreaterThan(0);
    expect(
      logged
        .slice(ended + 1)
        .map((line) => line.split(/\s+/).slice(1, 3).join(' '))
        .sort(),
    ).toEqual(['compensation-fail first', 'compensation-fail second']);
    expect(logged[ended + 1]).toMatch(/compensation-fail +\w+ +error="service \\"undo\\": cannot undo"$/);
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
