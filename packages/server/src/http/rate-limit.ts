/**
 * Per-key rate limiting (rate-limiter-flexible, in this process's memory): each API key, and the admin token, may
 * make `requestsPerSecond` requests a second; past that a 429 with `Retry-After`. Replicas share the limit evenly:
 * with `replicas()` alive, a request costs that many points here, so a key whose requests are spread over them gets
 * the limit in all, and one that sticks to a single replica gets its share — never more, with no shared counter to
 * ask on every request.
 */
import type { MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpProblem } from '../errors/http-problem.js';
import type { AppEnv } from './routes/app-env.js';

export function rateLimit(requestsPerSecond: number, replicas: () => number = () => 1): MiddlewareHandler<AppEnv> {
  const limiter = new RateLimiterMemory({ points: requestsPerSecond, duration: 1 });
  return async function limitRate(c, next) {
    const key = c.get('keyId') ?? 'admin';
    const sharedBy = Math.min(requestsPerSecond, Math.max(1, Math.floor(replicas())));
    try {
      await limiter.consume(key, sharedBy);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new HttpProblem(
        429,
        'rate-limited',
        'Too many requests',
        `more than ${requestsPerSecond} requests a second with this key${sharedBy > 1 ? ` (shared by ${sharedBy} replicas)` : ''}; retry after ${seconds} s`,
        {
          headers: { 'Retry-After': String(seconds) },
        },
      );
    }
    await next();
  };
}
