import { describe } from 'vitest';
import { postgresReachable } from '../postgres-test-kit.js';
import { runWebhookDeliveryCases } from './webhook-delivery-contract-test-kit.js';
import { runWebhookStoreCases } from './webhook-store-contract-test-kit.js';
import { postgresTestDatabase } from './webhooks-test-kit.js';

/** On CI the PostgreSQL cases always run (an unreachable server fails them); elsewhere they skip without one. */
const reachable = await postgresReachable();

describe.skipIf(!reachable)('PostgreSQL', () => {
  runWebhookStoreCases('PostgreSQL', postgresTestDatabase);
  runWebhookDeliveryCases('PostgreSQL', postgresTestDatabase);
});
