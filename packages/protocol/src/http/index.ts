export * from './approvals.js';
export * from './common.js';
export * from './orchestrations.js';
export * from './plan-templates.js';
export * from './projects.js';
export * from './services.js';
export * from './webhook-events.js';
export * from './webhooks.js';
