/**
 * @baton/core — Baton's runtime: register agents, services and tools; validate plans; run them in parallel with
 * retries, breakers, idempotency, budgets, evidence bundles and streamed events.
 */
export * from './budget/index.js';
export * from './coordinator/index.js';
export * from './durable/index.js';
export * from './engine/index.js';
export * from './errors/index.js';
export * from './events/index.js';
export * from './evidence/index.js';
export * from './plan/index.js';
export * from './registry/index.js';
export * from './resilience/index.js';
export * from './run/index.js';
export * from './schema/index.js';
export * from './storage/index.js';
