import { describe, expect, it } from 'vitest';
import { startTestServer } from '../server-test-kit.js';
import { methodsByPath } from './allowed-methods.js';

describe('methodsByPath', () => {
  it('answers the methods of the routes a path matches, a parameter matching one segment', () => {
    const allowed = methodsByPath([
      { method: 'ALL', path: '/v1/*' },
      { method: 'GET', path: '/v1/orchestrations' },
      { method: 'POST', path: '/v1/orchestrations' },
      { method: 'GET', path: '/v1/orchestrations/:id' },
      { method: 'POST', path: '/v1/orchestrations/{id}/cancel' },
    ]);
    expect(allowed('/v1/orchestrations')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowed('/v1/orchestrations/orc_1')).toEqual(['GET', 'HEAD']);
    expect(allowed('/v1/orchestrations/orc_1/cancel')).toEqual(['POST']);
    expect(allowed('/v1/orchestrations/a/b/cancel')).toEqual([]);
    expect(allowed('/v1/nothing')).toEqual([]);
  });
});

describe('a known path with a method it does not take', () => {
  it('is a 405 problem with Allow, and an unknown path stays a 404', async () => {
    const t = await startTestServer();
    try {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const response = await t.request('/v1/orchestrations', { method });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
        expect(await response.json()).toMatchObject({
          code: 'method-not-allowed',
          detail: `/v1/orchestrations takes GET, HEAD, POST, not ${method}`,
        });
      }
      expect((await t.request('/v1/nowhere')).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
