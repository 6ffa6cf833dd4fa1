import { afterEach, describe, expect, it } from 'vitest';
import { InvalidClientOptionError } from './client-error.js';
import { createAdminClient } from './create-admin-client.js';
import { type FakeServer, sendJson, sendProblem, startFakeServer } from './fake-server-test-kit.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const TIME = '2026-01-01T00:00:00.000Z';
const project = { id: 'prj_1', name: 'billing', createdAt: TIME };
const apiKey = { id: 'key_1', name: 'default', prefix: 'bk_1', createdAt: TIME, lastUsedAt: null, key: 'bk_1secret' };

describe('createAdminClient', () => {
  it('creates and lists projects with the admin token as a bearer header', async () => {
    server = await startFakeServer((request, response) => {
      if (request.headers.authorization !== 'Bearer admin_secret')
        return sendProblem(response, 401, { code: 'unauthorized' });
      if (request.method === 'POST') return sendJson(response, 201, { project, apiKey });
      sendJson(response, 200, { items: [project] });
    });
    const admin = createAdminClient({ url: server.url, adminToken: 'admin_secret' });
    expect(await admin.createProject('billing')).toEqual({ project, apiKey });
    expect(await admin.projects()).toEqual([project]);
    expect(server.requests.map((request) => [request.method, request.url, request.body])).toEqual([
      ['POST', '/v1/projects', '{"name":"billing"}'],
      ['GET', '/v1/projects', ''],
    ]);
  });

  it('names the adminToken option when it is empty', () => {
    expect(() => createAdminClient({ url: 'http://localhost', adminToken: '' })).toThrow(InvalidClientOptionError);
    try {
      createAdminClient({ url: 'http://localhost', adminToken: '' });
    } catch (error) {
      expect((error as InvalidClientOptionError).option).toBe('adminToken');
    }
  });
});
