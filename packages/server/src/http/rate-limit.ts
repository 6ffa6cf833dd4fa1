/**
 * Per-key rate limiting (rate-limiter-flexible, in this process's memory): each API key, and the admin token, may
 * make `requestsPerSecond` requests a second; past that a 429 with `Retry-After`.
 */
import type { MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpProblem } from '../errors/http-problem.js';
import type { AppEnv } from './routes/app-env.js';

export function rateLimit(requestsPerSecond: number): MiddlewareHandler<AppEnv> {
  const limiter = new RateLimiterMemory({ points: requestsPerSecond, duration: 1 });
  return async function limitRate(c, next) {
    const key = c.get('keyId') ?? 'admin';
    try {
      await limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new HttpProblem(
        429,
        'rate-limited',
        'Too many requests',
        `more than ${requestsPerSecond} requests a second with this key; retry after ${seconds} s`,
        {
          headers: { 'Retry-After': String(seconds) },
        },
      );
    }
    await next();
  };
}
