import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { sendWebhook } from './send-webhook.js';
import { deriveWebhookSecret } from './webhook-secret.js';
import { TEST_MASTER_KEY } from './webhooks-test-kit.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

describe('sendWebhook over https', () => {
  let server: https.Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('connects to the pinned address, names the host in SNI, and still verifies the certificate', async () => {
    const names: string[] = [];
    const context = tls.createSecureContext({
      key: fixture('self-signed-key.pem'),
      cert: fixture('self-signed-cert.pem'),
    });
    server = https.createServer({
      SNICallback: (servername, done) => {
        names.push(servername);
        done(null, context);
      },
    });
    let reached = false;
    server.on('request', (_req, res) => {
      reached = true;
      res.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const outcome = await sendWebhook({
      url: new URL(`https://hooks.baton.invalid:${port}/hook`),
      addresses: [{ address: '127.0.0.1', family: 4 }],
      secret: deriveWebhookSecret(TEST_MASTER_KEY, 'wh_1'),
      messageId: 'msg_1',
      payload: '{}',
      timeoutMs: 5_000,
    });
    expect(names).toEqual(['hooks.baton.invalid']);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.error).toMatch(/self[- ]signed/i);
    expect(reached).toBe(false);
  });
});
