/**
 * The digest of an orchestration request, kept with an orchestration submitted under an `Idempotency-Key`: a repeat
 * with the same key is the same request only when its digest is the same (as the IETF Idempotency-Key draft and
 * Stripe have it). The body as validated (defaults filled in, the action trimmed), as canonical JSON (RFC 8785, `canonicalJson` of @baton/core), so
 * neither the order of fields nor spacing makes two requests differ.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@baton/core';
import type { CreateOrchestration } from '@baton/protocol';

/** `sha256:<hex>` of the canonical JSON of `body`. */
export function requestDigest(body: CreateOrchestration): string {
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}
