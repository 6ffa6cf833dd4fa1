import { ValidationError } from '@baton/core';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { deriveWebhookSecret, requireMasterKey } from './webhook-secret.js';

const masterKey = new Uint8Array(32).fill(7);

describe('deriveWebhookSecret', () => {
  it('derives a stable whsec_ secret per webhook that standardwebhooks accepts', () => {
    const secret = deriveWebhookSecret(masterKey, 'wh_a');
    expect(secret).toBe(deriveWebhookSecret(new Uint8Array(32).fill(7), 'wh_a'));
    expect(secret).not.toBe(deriveWebhookSecret(masterKey, 'wh_b'));
    expect(secret).not.toBe(deriveWebhookSecret(new Uint8Array(32).fill(8), 'wh_a'));
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const signer = new Webhook(secret);
    const date = new Date();
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
      'webhook-signature': signer.sign('msg_1', date, '{"a":1}'),
    };
    expect(new Webhook(secret).verify('{"a":1}', headers)).toEqual({ a: 1 });
  });
});

describe('requireMasterKey', () => {
  it('accepts 32 bytes or more and refuses anything else', () => {
    expect(() => requireMasterKey(masterKey)).not.toThrow();
    for (const bad of [new Uint8Array(16), 'a'.repeat(64), undefined]) {
      expect(() => requireMasterKey(bad)).toThrow(ValidationError);
    }
  });
});
