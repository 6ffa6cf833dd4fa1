import { BatonConnectionError, OrchestrationFailedError } from '@baton/sdk';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../server-error.js';
import { lostWhileFollowing } from './server-clients.js';

describe('lostWhileFollowing', () => {
  it('a server that could not be reached: says the orchestration goes on there and how to follow it again', () => {
    const lost = new BatonConnectionError(
      'GET',
      'http://127.0.0.1:7400/v1/orchestrations/orc_1/events',
      'ECONNREFUSED',
    );
    const error = lostWhileFollowing(lost, 'orc_1');
    expect(ServerError.isInstance(error) && error.failure).toBe('unreachable');
    expect((error as Error).message).toBe(
      'could not reach the server: GET http://127.0.0.1:7400/v1/orchestrations/orc_1/events failed: ECONNREFUSED. Check that the Baton server runs at this URL. Orchestration orc_1 is kept by the server, which goes on with it when it is back: baton logs orc_1 -f follows it again',
    );
  });

  it('any other error is the CLI error it would be anyway', () => {
    const other = new Error('something else');
    expect(lostWhileFollowing(other, 'orc_1')).toBe(other);
    const failed = new OrchestrationFailedError('orc_1', 'failed', { message: 'boom', code: 'x' } as never);
    expect(ServerError.isInstance(lostWhileFollowing(failed, 'orc_1'))).toBe(false);
  });
});
