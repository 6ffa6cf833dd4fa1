import { BatonApiError, BatonConnectionError, OrchestrationFailedError } from '@baton/sdk';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../server-error.js';
import { cliErrorOf, lostWhileFollowing } from './server-clients.js';

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

describe('cliErrorOf a refusal', () => {
  const refusal = (detail: string, messages: string[]) =>
    new BatonApiError({
      status: 400,
      code: 'invalid-plan',
      title: 'Bad request',
      detail,
      type: 'about:blank',
      problems: messages.map((message, i) => ({ path: `plan.steps[${i}]`, code: 'x', message })),
      retryAfterMs: undefined,
      method: 'POST',
      url: 'http://127.0.0.1:7400/v1/orchestrations',
    });

  it('a detail that counts the problems it does not list goes on with them before the status', () => {
    const messages = ['unknown service', 'cycle found', 'bad when', 'unknown field'];
    const listed = messages.slice(0, 3).map((message, i) => `plan.steps[${i}]: ${message}`);
    const error = refusal(`the plan has 4 problem(s): ${listed.join('; ')}; and 1 more`, messages);
    expect((cliErrorOf(error, 'api-key') as Error).message).toBe(
      `the server refused: the plan has 4 problem(s): ${listed.join('; ')}; plan.steps[3]: unknown field (400 invalid-plan, POST /v1/orchestrations)`,
    );
  });

  it('any other detail is followed by the problems it does not state', () => {
    const error = refusal('the template has 2 problem(s)', ['no examples', 'no plan']);
    expect((cliErrorOf(error, 'api-key') as Error).message).toBe(
      'the server refused: the template has 2 problem(s) (400 invalid-plan, POST /v1/orchestrations) — plan.steps[0]: no examples; plan.steps[1]: no plan',
    );
  });
});
