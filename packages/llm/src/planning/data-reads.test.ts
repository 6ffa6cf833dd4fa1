import { describe, expect, it } from 'vitest';
import { dataReads, missingDataProblems } from './data-reads.js';

const step = (input: unknown, extra: Record<string, unknown> = {}) => ({
  steps: [{ id: 'a', target: 'weather', input, ...extra }],
});

describe('dataReads', () => {
  it('finds $ref reads, and {{…}} reads in texts when asked, each field once where first read', () => {
    const plan = step({
      city: { $ref: 'request.data.city' },
      note: 'in {{ request.data.city }} for {{request.data.name}}',
    });
    expect(dataReads(plan)).toEqual([{ field: 'city', path: '.steps[0].input.city' }]);
    expect(dataReads(plan, { texts: true })).toEqual([
      { field: 'city', path: '.steps[0].input.city' },
      { field: 'name', path: '.steps[0].input.note' },
    ]);
  });

  it('leaves out reads that may find nothing: a $ref with a default, and anything inside $literal', () => {
    const plan = step({
      lang: { $ref: 'request.data.lang', default: 'en' },
      raw: { $literal: { city: { $ref: 'request.data.city' }, text: '{{request.data.name}}' } },
    });
    expect(dataReads(plan, { texts: true })).toEqual([]);
  });
});

describe('missingDataProblems', () => {
  it('names each read of a field the data lacks, with the fields it has', () => {
    const plan = step({ text: { $ref: 'request.data.txt' }, greeting: 'Hello {{request.data.nmae}}' });
    expect(missingDataProblems(plan, { text: 'hi', name: 'Ana' })).toEqual([
      {
        path: 'steps[0].input.text',
        code: 'unknown-data-field',
        message: 'reads request.data.txt, but the request data has only text, name',
      },
      {
        path: 'steps[0].input.greeting',
        code: 'unknown-data-field',
        message: 'reads request.data.nmae, but the request data has only text, name',
      },
    ]);
    expect(missingDataProblems(step({ a: { $ref: 'request.data.a' } }), {})[0]?.message).toBe(
      'reads request.data.a, but the request data has no fields',
    );
  });

  it('lets a field a when or until condition tests be missing', () => {
    const guarded = step({ coupon: { $ref: 'request.data.coupon' } }, { when: 'exists(request.data.coupon)' });
    expect(missingDataProblems(guarded, {})).toEqual([]);
    const looped = {
      steps: [{ id: 'l', loop: { until: 'request.data.stop == true' }, input: '{{request.data.stop}}' }],
    };
    expect(missingDataProblems(looped, {})).toEqual([]);
  });
});
