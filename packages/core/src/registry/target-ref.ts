/**
 * How a plan step names what it calls: `"summarize"`, `"summarize@^2.1"` (a semver range), or
 * `{ capability: "search" }` (any healthy target with that capability, optionally within a version range).
 */

import semver from 'semver';
import { describeValue } from '../errors/describe-value.js';
import { clipText, quoteText } from '../errors/quote-text.js';
import { requireArgument } from '../errors/require-argument.js';
import { isRecord } from '../schema/is-record.js';

export type TargetRef = string | { name?: string; capability?: string; version?: string };

export interface TargetQuery {
  name?: string;
  capability?: string;
  /** A semver range; `undefined` means the highest version. */
  version?: string;
}

export function parseTargetRef(ref: TargetRef): TargetQuery {
  const usage = 'a target reference: "name", "name@range" or { capability: "..." }';
  requireArgument('parseTargetRef', 'ref', typeof ref === 'string' || isRecord(ref), usage, ref);
  if (typeof ref === 'string') {
    const at = ref.indexOf('@');
    return at === -1 ? { name: ref } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
  }
  const query: TargetQuery = {};
  if (ref.name !== undefined) query.name = ref.name;
  if (ref.capability !== undefined) query.capability = ref.capability;
  if (ref.version !== undefined) query.version = ref.version;
  return query;
}

/** Ranges already judged: every step of every run names its target, mostly with the same few ranges. */
const judgedRanges = new Map<string, boolean>();

function isRange(version: string): boolean {
  let valid = judgedRanges.get(version);
  if (valid === undefined) {
    valid = semver.validRange(version) !== null;
    if (judgedRanges.size >= 1000) judgedRanges.clear();
    judgedRanges.set(version, valid);
  }
  return valid;
}

/** Why `ref` is not a usable target reference, or undefined when it is one. */
export function targetRefProblem(ref: unknown): { code: string; message: string } | undefined {
  const usage = 'use "name", "name@range" or { capability: "..." }';
  if (typeof ref !== 'string' && (typeof ref !== 'object' || ref === null || Array.isArray(ref))) {
    return {
      code: 'type',
      message: `a target must be a string or an object, got ${describeValue(ref)}; ${usage}`,
    };
  }
  const query = parseTargetRef(ref as TargetRef);
  const { name, capability, version } = query as Record<string, unknown>;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    return { code: 'type', message: `a target name must be a non-empty string, got ${describeValue(name)}; ${usage}` };
  }
  if (capability !== undefined && (typeof capability !== 'string' || capability === '')) {
    return { code: 'type', message: `a capability must be a non-empty string, got ${describeValue(capability)}` };
  }
  if (name === undefined && capability === undefined) {
    return { code: 'required', message: `a target needs a name or a capability; ${usage}` };
  }
  if (version !== undefined && (typeof version !== 'string' || !isRange(version))) {
    return { code: 'semver-range', message: `${describeValue(version)} is not a semver range such as ^1.2 or 2.x` };
  }
  return undefined;
}

export function describeQuery(query: TargetQuery): string {
  requireArgument('describeQuery', 'query', isRecord(query), 'a query like { name } or { capability }', query);
  const base = query.name !== undefined ? clipText(query.name) : `capability ${quoteText(String(query.capability))}`;
  return query.version ? `${base} (version ${clipText(query.version)})` : base;
}
