/**
 * One orchestration event as one line of `baton logs`: time, type, step, then what happened. Events about people and
 * time (approvals asked and decided, a run parked and resumed, a timer) read as words; the others show their data as
 * `key=value`, which reads well for them. Every type the server sends is one or the other (`LINES`), and a type this
 * CLI does not know yet (a newer server) is shown as `key=value` too, never dropped.
 */
import { ORCHESTRATION_EVENT_TYPES, type OrchestrationEvent, type OrchestrationEventType } from '@baton/protocol';
import { clip, formatTime, padEnd, shortJson } from './text-format.js';

/** How wide the data part of a line may grow. */
const DATA_WIDTH = 160;

type Data = Record<string, unknown>;
type Words = (data: Data) => string;

function dataText(data: unknown): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return data === undefined ? '' : shortJson(data);
  const parts = Object.entries(data as Data)
    // A step that calls no service (an approval, a wait) has `service: null`: nothing to show.
    .filter(([key, value]) => value !== undefined && !(key === 'service' && value === null))
    .map(([key, value]) => {
      if (key === 'error' && typeof value === 'object' && value !== null && 'message' in value) {
        return `error=${JSON.stringify(String((value as { message: unknown }).message))}`;
      }
      return `${key}=${typeof value === 'string' ? value : shortJson(value, 60)}`;
    });
  return parts.join(' ');
}

const timeOf = (value: unknown): string =>
  typeof value === 'number' || typeof value === 'string' ? formatTime(new Date(value).toISOString()) : '-';

function approvalRequested(data: Data): string {
  const id = String(data.approvalId);
  const expires = data.expiresAt === null || data.expiresAt === undefined ? '' : `, expires ${timeOf(data.expiresAt)}`;
  return `waits for a person${expires}: baton approvals approve|reject ${id}`;
}

function approvalDecided(data: Data): string {
  const reason = typeof data.reason === 'string' ? `: ${JSON.stringify(data.reason)}` : '';
  return `approval ${String(data.approvalId)} ${String(data.decision)}${reason}`;
}

function parked(data: Data): string {
  const wakes = data.wakeAt === null || data.wakeAt === undefined ? '' : `, or at ${timeOf(data.wakeAt)}`;
  return `parked: stored until a person decides or a timer fires${wakes}`;
}

/** Each type the server sends: in words, or `data` for `key=value`. The record makes a new type a compile error. */
const LINES: Record<OrchestrationEventType, Words | 'data'> = {
  'run-start': 'data',
  'version-lock': 'data',
  'step-finish': 'data',
  'sub-call-finish': 'data',
  'approval-request': approvalRequested,
  'timer-set': (data) => `waits until ${timeOf(data.fireAt)}`,
  'run-park': parked,
  'run-finish': 'data',
  'run-fail': 'data',
  'run-cancel': 'data',
  'attempt-fail': 'data',
  'compensation-finish': 'data',
  'compensation-fail': 'data',
  'compensation-close': 'data',
  'approval-decision': approvalDecided,
  'run-resume': (data) => `running again (parked since ${timeOf(data.parkedAt)})`,
  'orchestration-planned': 'data',
  'planning-failed': 'data',
  'step-start': 'data',
  'step-retry': 'data',
  'step-error': 'data',
  'step-fallback': 'data',
  'budget-warning': 'data',
  'compensation-start': 'data',
  'waiting-for-service': 'data',
  'task-dispatched': 'data',
  'step-progress': 'data',
};

const KNOWN = new Set<string>(Object.values(ORCHESTRATION_EVENT_TYPES).flat());

/**
 * @example
 * eventLine(event); // '2026-01-01T10:00:00.123Z  step-finish          a  service=weather@1 attempts=1 output={"ok":1}'
 * eventLine(event, 7); // '2026-01-01T10:00:00.123Z  step-finish          a        service=weather@1 …'
 * eventLine(event); // '2026-01-01T10:00:05.000Z  approval-decision    ok  approval 390b… rejected: "too much"'
 */
export function eventLine(event: OrchestrationEvent, stepWidth = 0): string {
  const line = KNOWN.has(event.type) ? LINES[event.type as OrchestrationEventType] : 'data';
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Data;
  const text = line === 'data' ? dataText(event.data) : line(data);
  // Padded to the plan's longest step id, so what happened starts in one column (a longer sub-step key goes past it).
  const step = padEnd(event.stepId ?? '-', stepWidth);
  return [event.at, event.type.padEnd(19), text === '' ? step.trimEnd() : step, clip(text, DATA_WIDTH)]
    .filter((part) => part !== '')
    .join('  ');
}
