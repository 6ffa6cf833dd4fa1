/**
 * One line per thing an agent does, for `baton run agent.yaml`: the model it chose (and the ones it passed over),
 * each tool call as it starts and ends, retries, a resumed run. Values are cut to one short line.
 */
import type { RunEvent } from '@baton/core';

const MAX_VALUE = 160;
/** An error says what is wrong after where it happened: it gets more room than a value. */
const MAX_ERROR = 600;

function short(value: unknown, max = MAX_VALUE): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Tool calls of tool calls (an agent as a tool) are indented under theirs. */
const indent = (event: RunEvent) => '  '.repeat(Math.max(0, event.path.length - 3));

/**
 * The line for `event`, or undefined for events an agent run does not show (step starts, budget bookkeeping).
 *
 * @example
 * agentEventLine({ type: 'sub-call-start', target: 'weather.forecast', input: { city: 'Oslo' }, … }); // '→ weather.forecast {"city":"Oslo"}'
 */
export function agentEventLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'model-choice': {
      const skipped = event.skipped.map((entry) => `${entry.model}: ${entry.reason}`).join('; ');
      return `${indent(event)}model ${event.model}${skipped ? ` (passed over ${skipped})` : ''}`;
    }
    case 'model-fallback':
      return `${indent(event)}model ${event.from} failed (${short(event.reason, MAX_ERROR)}): asking ${event.to}`;
    case 'sub-call-start':
      return `${indent(event)}→ ${event.target} ${short(event.input)}`;
    case 'sub-call-finish':
      return `${indent(event)}← ${event.target} ${short(event.output)}${event.replayed ? ' (from the journal)' : ''}`;
    case 'sub-call-error':
      return `${indent(event)}✗ ${event.target}: ${short(event.error.message, MAX_ERROR)}`;
    case 'step-retry':
      return `${indent(event)}retrying (attempt ${event.attempt}) after: ${short(event.error.message, MAX_ERROR)}`;
    case 'run-resume':
      return `resuming run ${event.runId} from its journal`;
    case 'budget-warning':
      return `budget: ${event.budget} at ${event.used} of ${event.limit}`;
    default:
      return undefined;
  }
}
