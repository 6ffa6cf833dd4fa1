/**
 * What a planner may plan with: the registered services and agents, each with its description and JSON Schemas, and
 * the registry's fingerprint, which changes whenever a name, a version or a schema does (a cached plan made for one
 * registry is never used with another).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@baton/core';

export interface PlanningTarget {
  /** The name a plan's `target` uses. */
  readonly name: string;
  readonly kind: 'service' | 'agent' | 'tool';
  readonly version: string;
  readonly description?: string;
  /** JSON Schema of the input. */
  readonly inputSchema?: unknown;
  /** JSON Schema of the output. */
  readonly outputSchema?: unknown;
}

/** SHA-256 over the canonical JSON of every target's name, kind, version and schemas, in name order. */
export function registryFingerprint(targets: readonly PlanningTarget[]): string {
  const described = [...targets]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, kind, version, inputSchema, outputSchema }) => ({ name, kind, version, inputSchema, outputSchema }));
  return createHash('sha256').update(canonicalJson(described)).digest('hex');
}
