/**
 * Which events a webhook receives: `null` means every event; otherwise a list of event types, each exact
 * (`orchestration.completed`) or ending in a wildcard segment (`orchestration.*`, or `*` alone for everything).
 */
import { describeValue, type Problem, ValidationError } from '@baton/core';

const PATTERN = /^(\*|[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*(\.\*)?)$/i;
const EVENT_TYPE = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/i;
const MAX_EVENTS = 50;
const MAX_EVENT_LENGTH = 100;

/**
 * @example
 * matchesEvent(['orchestration.*'], 'orchestration.completed'); // true
 * matchesEvent(null, 'anything'); // true
 */
export function matchesEvent(events: readonly string[] | null, type: string): boolean {
  if (events === null) return true;
  return events.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
    return pattern === type;
  });
}

/** Whether `type` is a dotted event type such as `orchestration.completed` (at most 100 characters). */
export function isEventType(type: unknown): type is string {
  return typeof type === 'string' && type.length <= MAX_EVENT_LENGTH && EVENT_TYPE.test(type);
}

/**
 * The event list as given, deduplicated; throws a ValidationError naming each bad entry — also one that matches none
 * of `known`, when given (a filter that could never match is a mistake, not a choice).
 */
export function validateEventFilter(events: unknown, known?: readonly string[]): string[] | null {
  if (events === undefined || events === null) return null;
  if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS) {
    throw new ValidationError('webhook: bad events', [
      {
        path: 'events',
        code: 'type',
        message: `events must be a list of 1 to ${MAX_EVENTS} event types (leave it out for every event); got ${describeValue(events)}`,
      },
    ]);
  }
  const problems: Problem[] = [];
  events.forEach((event, index) => {
    if (typeof event !== 'string' || event.length > MAX_EVENT_LENGTH || !PATTERN.test(event)) {
      problems.push({
        path: `events[${index}]`,
        code: 'pattern',
        message: `${describeValue(event)} is not an event type such as "orchestration.completed" or "orchestration.*"`,
      });
    } else if (known !== undefined && !known.some((type) => matchesEvent([event], type))) {
      problems.push({
        path: `events[${index}]`,
        code: 'unknown-event',
        message: `no event is called ${describeValue(event)}; the events are ${known.join(', ')} (or a prefix and *)`,
      });
    }
  });
  if (problems.length > 0) throw new ValidationError('webhook: bad events', problems);
  return [...new Set(events as string[])];
}
