import { describe, expect, it } from 'vitest';
import { requestClauses } from './request-clauses.js';

describe('requestClauses', () => {
  it('cuts a request for several things at joining words and sentence ends', () => {
    expect(requestClauses('Look up the Globex contact in the CRM and email her the proposal')).toEqual([
      'Look up the Globex contact in the CRM',
      'email her the proposal',
    ]);
    expect(requestClauses('Show the pod logs, then restart its deployment. Post a summary in #ops')).toEqual([
      'Show the pod logs',
      'then restart its deployment',
      'Post a summary in #ops',
    ]);
  });

  it('keeps a request whole when a part would say nothing on its own', () => {
    expect(requestClauses('trains from Paris and Brussels')).toEqual([]);
    expect(requestClauses('If it is 9am in Lisbon, what time is it in Tokyo?')).toEqual([]);
    expect(requestClauses('weather')).toEqual([]);
  });
});
