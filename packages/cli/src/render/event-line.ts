/** One orchestration event as one line of `baton logs`: time, type, step, and its data in short. */
import type { OrchestrationEvent } from '@baton/protocol';
import { clip, shortJson } from './text-format.js';

/** How wide the data part of a line may grow. */
const DATA_WIDTH = 160;

function dataText(data: unknown): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return data === undefined ? '' : shortJson(data);
  const parts = Object.entries(data as Record<string, unknown>)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      if (key === 'error' && typeof value === 'object' && value !== null && 'message' in value) {
        return `error=${JSON.stringify(String((value as { message: unknown }).message))}`;
      }
      return `${key}=${typeof value === 'string' ? value : shortJson(value, 60)}`;
    });
  return clip(parts.join(' '), DATA_WIDTH);
}

/**
 * @example
 * eventLine(event); // '2026-01-01T10:00:00.123Z  step-finish   a  service=weather@1 attempts=1 output={"ok":1}'
 */
export function eventLine(event: OrchestrationEvent): string {
  const data = dataText(event.data);
  return [event.at, event.type.padEnd(19), event.stepId ?? '-', data].filter((part) => part !== '').join('  ');
}
