import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpProblem } from '../errors/http-problem.js';
import { rateLimit } from './rate-limit.js';
import type { AppEnv } from './routes/app-env.js';

function app(requestsPerSecond: number, replicas: () => number) {
  const hono = new Hono<AppEnv>();
  hono.use(async (c, next) => {
    c.set('keyId', c.req.header('x-key') ?? 'key');
    await next();
  });
  hono.use(rateLimit(requestsPerSecond, replicas));
  hono.get('/', (c) => c.text('ok'));
  hono.onError((error) =>
    HttpProblem.isInstance(error)
      ? new Response(error.message, { status: error.status, headers: error.headers })
      : new Response(String(error), { status: 500 }),
  );
  return hono;
}

async function statuses(hono: Hono<AppEnv>, count: number, key = 'key'): Promise<number[]> {
  const answers: number[] = [];
  for (let i = 0; i < count; i++) answers.push((await hono.request('/', { headers: { 'x-key': key } })).status);
  return answers;
}

describe('rateLimit', () => {
  // The clock stands still, so every request falls in the same second however slow the machine is.
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  it('lets a key make requestsPerSecond requests a second, then answers 429 with Retry-After', async () => {
    const hono = app(4, () => 1);
    expect(await statuses(hono, 5)).toEqual([200, 200, 200, 200, 429]);
    const refused = await hono.request('/', { headers: { 'x-key': 'key' } });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.text()).toContain('more than 4 requests a second with this key');
    // Another key has its own allowance; a second later the first has its again.
    expect(await statuses(hono, 1, 'other')).toEqual([200]);
    vi.setSystemTime(Date.now() + 1001);
    expect(await statuses(hono, 1)).toEqual([200]);
  });

  it('gives each of several live replicas an even share of the limit', async () => {
    let replicas = 2;
    const hono = app(4, () => replicas);
    expect(await statuses(hono, 3)).toEqual([200, 200, 429]);
    expect(await (await hono.request('/', { headers: { 'x-key': 'key' } })).text()).toContain('shared by 2 replicas');
    replicas = 1;
    vi.setSystemTime(Date.now() + 1001);
    expect(await statuses(hono, 5)).toEqual([200, 200, 200, 200, 429]);
  });

  it('never charges more than the whole limit, with more replicas than requests allowed', async () => {
    const hono = app(2, () => 5);
    expect(await statuses(hono, 2)).toEqual([200, 429]);
  });
});
