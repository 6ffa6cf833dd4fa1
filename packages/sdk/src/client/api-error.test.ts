import { describe, expect, it } from 'vitest';
import { apiErrorFromResponse, BatonApiError, parseRetryAfter } from './api-error.js';
import { BatonClientError } from './client-error.js';

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('apiErrorFromResponse', () => {
  const source = {
    method: 'GET',
    url: 'http://localhost/v1/services/s',
    status: 404,
    statusText: 'Not Found',
    headers: new Headers(),
  };

  it('falls back to the status for a JSON body that is not a problem document', () => {
    const error = apiErrorFromResponse({ ...source, bodyText: '{"error":"nope"}' });
    expect(error).toMatchObject({ code: 'http-404', title: 'Not Found', detail: '{"error":"nope"}' });
  });

  it('says so when the body is empty', () => {
    expect(apiErrorFromResponse({ ...source, statusText: '', bodyText: '' })).toMatchObject({
      title: 'HTTP 404',
      detail: '(empty body)',
    });
  });

  const problemDocument = (detail: string, problems: Array<{ path: string; message: string }>) =>
    JSON.stringify({
      type: 'https://baton.dev/problems/invalid-plan',
      title: 'Invalid plan',
      status: 400,
      detail,
      code: 'invalid-plan',
      problems: problems.map((problem) => ({ code: 'invalid', ...problem })),
    });

  it('lists the first five problems in its message, each clipped, and counts the rest', () => {
    const problems = Array.from({ length: 7 }, (_, index) => ({
      path: `plan.steps[${index}].target`,
      message: index === 0 ? 'y'.repeat(300) : `no service "s${index}"`,
    }));
    const error = apiErrorFromResponse({ ...source, status: 400, bodyText: problemDocument('7 problems', problems) });
    expect(error.problems).toHaveLength(7);
    expect(error.message).toContain(`— plan.steps[0].target: ${'y'.repeat(200)}… (100 more characters); `);
    expect(error.message).toContain('plan.steps[4].target: no service "s4" (and 2 more in .problems)');
    expect(error.message).not.toContain('s5');
  });

  it('does not repeat a problem the detail already states', () => {
    const problems = [
      { path: 'body.action', message: 'Required' },
      { path: '', message: 'too many steps' },
    ];
    const error = apiErrorFromResponse({
      ...source,
      status: 400,
      bodyText: problemDocument('the request body has 2 problem(s): body.action: Required', problems),
    });
    expect(error.message).toMatch(/body\.action: Required — \(body\): too many steps$/);
  });

  it('is recognised by marker, not by class identity', () => {
    const error = apiErrorFromResponse({ ...source, bodyText: '' });
    expect(BatonClientError.isInstance(error)).toBe(true);
    expect(BatonApiError.isInstance({ ...error })).toBe(true);
    expect(BatonApiError.isInstance(new Error('x'))).toBe(false);
  });
});
