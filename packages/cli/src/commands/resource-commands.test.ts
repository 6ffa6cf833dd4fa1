import { createService, memoryInstanceStore } from '@baton/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type CliTestServer, hasStack, startCliTestServer } from '../cli-test-kit.js';

let t: CliTestServer;
beforeAll(async () => {
  t = await startCliTestServer();
});
afterAll(() => t.close());

describe('projects (admin token)', () => {
  it('add prints the project and its key once; ls lists it; the key works for project commands', async () => {
    const admin = { BATON_URL: t.url, BATON_ADMIN_TOKEN: ADMIN_TOKEN };
    const added = await t.baton(['projects', 'add', 'billing', '--json'], admin);
    expect(added.code).toBe(0);
    const created = JSON.parse(added.stdout);
    expect(created).toMatchObject({ project: { name: 'billing' }, apiKey: { key: expect.stringMatching(/^bk_/) } });
    const listed = await t.baton(['projects', 'ls'], admin);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+CREATED$/);
    expect(listed.stdout).toMatch(new RegExp(`${created.project.id}\\s+billing\\s+\\d{4}-\\d\\d-\\d\\d`));
    const asProject = await t.baton(['api-keys', 'ls'], { BATON_URL: t.url, BATON_API_KEY: created.apiKey.key });
    expect(asProject.code).toBe(0);
    const plain = await t.baton(['projects', 'add', 'other', '--admin-token', ADMIN_TOKEN], { BATON_URL: t.url });
    expect(plain.stdout).toMatch(
      /^Project other \(prj_\w+\) created\.\nAPI key \(shown only now, store it safely\): bk_\w+/,
    );
  });

  it('add with a name another project has: exit 6, one line naming it and what to do, and no second project', async () => {
    const admin = { BATON_URL: t.url, BATON_ADMIN_TOKEN: ADMIN_TOKEN };
    expect((await t.baton(['projects', 'add', 'payroll'], admin)).code).toBe(0);
    const again = await t.baton(['projects', 'add', 'payroll'], admin);
    expect([again.code, again.stdout, again.stderr.trim()]).toEqual([
      6,
      '',
      'baton: a project named "payroll" exists already (409 project-name-taken): choose another name; baton projects ls lists them',
    ]);
    const listed = JSON.parse((await t.baton(['projects', 'ls', '--json'], admin)).stdout) as Array<{ name: string }>;
    expect(listed.filter((project) => project.name === 'payroll')).toHaveLength(1);
  });

  it('without the admin token: exit 2 saying how to give it; with a wrong one: exit 6', async () => {
    const missing = await t.baton(['projects', 'ls'], { BATON_URL: t.url });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('pass --admin-token TOKEN or set BATON_ADMIN_TOKEN');
    const wrong = await t.baton(['projects', 'ls', '--admin-token', 'badm_wrong'], { BATON_URL: t.url });
    expect(wrong.code).toBe(6);
    expect(wrong.stderr.trim()).toBe(
      'baton: the server refused the admin token (401 Unauthorized: the admin token is not valid); pass the server admin token with --admin-token or BATON_ADMIN_TOKEN',
    );
    expect(hasStack(wrong.stderr)).toBe(false);
  });
});

describe('api-keys', () => {
  it('add, ls, rm: a revoked key is refused afterwards, and rm again says it was revoked already (exit 6)', async () => {
    const added = JSON.parse((await t.baton(['api-keys', 'add', 'ci', '--json'])).stdout);
    expect(added).toMatchObject({ name: 'ci', key: expect.stringMatching(/^bk_/) });
    const listed = await t.baton(['api-keys', 'ls']);
    expect(listed.stdout).toMatch(new RegExp(`${added.id}\\s+ci\\s+${added.prefix}`));
    const json = JSON.parse((await t.baton(['api-keys', 'ls', '--json'])).stdout) as Array<{ id: string }>;
    expect(json.map((key) => key.id)).toContain(added.id);
    const removed = await t.baton(['api-keys', 'rm', added.id]);
    expect([removed.code, removed.stdout.trim()]).toEqual([0, `API key ${added.id} revoked.`]);
    const refused = await t.baton(['services', 'ls'], { BATON_URL: t.url, BATON_API_KEY: added.key });
    expect(refused.code).toBe(6);
    const again = await t.baton(['api-keys', 'rm', added.id]);
    expect(again.code).toBe(6);
    expect(again.stderr.trim()).toMatch(
      new RegExp(
        `^baton: the server refused: API key "${added.id}" was revoked already, at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(409 api-key-revoked, DELETE /v1/api-keys/${added.id}\\)$`,
      ),
    );
    const unknown = await t.baton(['api-keys', 'rm', 'key_nothing']);
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toContain('no API key "key_nothing" in this project (404 not-found');
  });
});

describe('webhooks', () => {
  it('add with --events, ls, rm; an unknown id is 404 (exit 6)', async () => {
    const added = await t.baton([
      'webhooks',
      'add',
      'http://127.0.0.1:9/hook',
      '--events',
      'orchestration.succeeded,orchestration.failed',
    ]);
    expect(added.code).toBe(0);
    const id =
      /^Webhook (\S+) → http:\/\/127\.0\.0\.1:9\/hook \(orchestration\.succeeded, orchestration\.failed\)$/m.exec(
        added.stdout,
      )?.[1];
    expect(id).toBeDefined();
    expect(added.stdout).toMatch(/Signing secret \(shown only now\): whsec_/);
    const listed = await t.baton(['webhooks', 'ls']);
    expect(listed.stdout).toMatch(
      new RegExp(`${id}\\s+http://127.0.0.1:9/hook\\s+orchestration.succeeded,orchestration.failed`),
    );
    const json = JSON.parse((await t.baton(['webhooks', 'ls', '--json'])).stdout);
    expect(json).toEqual([
      expect.objectContaining({ id, events: ['orchestration.succeeded', 'orchestration.failed'] }),
    ]);
    expect((await t.baton(['webhooks', 'rm', id!])).stdout.trim()).toBe(`Webhook ${id} removed.`);
    expect((await t.baton(['webhooks', 'ls'])).stdout.trim()).toBe('No webhooks.');
    expect((await t.baton(['webhooks', 'rm', id!])).code).toBe(6);
  });

  it('a bad --events list is a usage mistake; a URL the server refuses is exit 6 naming the problem', async () => {
    const usage = await t.baton(['webhooks', 'add', 'http://127.0.0.1:9/x', '--events', 'a,,b']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--events must be a comma-separated list with no empty item');
    const refused = await t.baton(['webhooks', 'add', 'not a url']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(
      /^baton: the server refused: .*url: expected an absolute http:\/\/ or https:\/\/ URL .*\(400 invalid-request, POST \/v1\/webhooks\)/,
    );
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('services', () => {
  it('ls shows a connected SDK service, healthy with one instance; --json has its schemas', async () => {
    const service = createService({
      name: 'weather',
      description: 'Current temperature in a city',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object', properties: { city: { type: 'string' } } },
      handler: async () => ({}),
    });
    await service.start({ url: t.url, apiKey: t.apiKey });
    try {
      const listed = await t.baton(['services', 'ls']);
      expect(listed.stdout.split('\n')).toEqual([
        expect.stringMatching(/^NAME\s+KIND\s+VERSION\s+HEALTH\s+INSTANCES\s+DESCRIPTION$/),
        expect.stringMatching(/^weather\s+service\s+1\s+healthy\s+1\s+Current temperature in a city$/),
        '',
      ]);
      const [json] = JSON.parse((await t.baton(['services', 'ls', '--json'])).stdout);
      expect(json).toMatchObject({ name: 'weather', input: { properties: { city: { type: 'string' } } } });
    } finally {
      await service.stop();
    }
  });

  it('ls counts, during a redeploy with a changed schema, the instances still on the older revision', async () => {
    const serving = (input: Record<string, unknown>) =>
      createService({
        name: 'rolling',
        description: 'Redeployed',
        instanceStore: memoryInstanceStore(),
        input,
        handler: async () => ({}),
      });
    const old = serving({ type: 'object', properties: { a: { type: 'string' } } });
    await old.start({ url: t.url, apiKey: t.apiKey });
    const renewed = serving({ type: 'object', properties: { b: { type: 'string' } } });
    await renewed.start({ url: t.url, apiKey: t.apiKey });
    try {
      const listed = await t.baton(['services', 'ls']);
      expect(listed.stdout).toMatch(/^rolling\s+service\s+2\s+healthy\s+2 \(1 on revision 1\)\s+Redeployed$/m);
      const [json] = JSON.parse((await t.baton(['services', 'ls', '--json'])).stdout);
      expect(json.instances.map((instance: { version: number }) => instance.version).sort()).toEqual([1, 2]);
    } finally {
      await renewed.stop();
      await old.stop();
    }
  });
});
