import { runWebhookDeliveryCases } from './webhook-delivery-contract-test-kit.js';
import { runWebhookStoreCases } from './webhook-store-contract-test-kit.js';
import { sqliteTestDatabase } from './webhooks-test-kit.js';

runWebhookStoreCases('SQLite', async () => sqliteTestDatabase());
runWebhookDeliveryCases('SQLite', async () => sqliteTestDatabase());
