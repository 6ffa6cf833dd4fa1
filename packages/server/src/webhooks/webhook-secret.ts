/**
 * Each webhook's signing secret, derived from the server's master key and the webhook's id rather than stored:
 * the database never holds a secret, and only whoever holds the master key (outside the database) can recreate one.
 * The format is the Standard Webhooks one: `whsec_` and the base64 of 32 key bytes.
 */
import { createHmac } from 'node:crypto';
import { ValidationError } from '@baton/core';

/** A master key shorter than this is refused. */
export const MIN_MASTER_KEY_BYTES = 32;

/**
 * @example
 * const secret = deriveWebhookSecret(masterKey, 'wh_3k9…'); // 'whsec_q2x…='
 * new Webhook(secret).sign(msgId, new Date(), body);
 */
export function deriveWebhookSecret(masterKey: Uint8Array, webhookId: string): string {
  const key = createHmac('sha256', masterKey).update(`baton-webhook:${webhookId}`).digest();
  return `whsec_${key.toString('base64')}`;
}

/** Throws a ValidationError unless `masterKey` is a byte array of at least 32 bytes. */
export function requireMasterKey(masterKey: unknown): asserts masterKey is Uint8Array {
  if (masterKey instanceof Uint8Array && masterKey.length >= MIN_MASTER_KEY_BYTES) return;
  const got = masterKey instanceof Uint8Array ? `${masterKey.length} bytes` : `a ${typeof masterKey}`;
  throw new ValidationError('createWebhooks: bad masterKey', [
    {
      path: 'masterKey',
      code: 'too-short',
      message: `the webhook master key must be a Uint8Array of at least ${MIN_MASTER_KEY_BYTES} random bytes; got ${got}`,
    },
  ]);
}
