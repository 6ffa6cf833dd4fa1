export { EventStream } from './event-stream.js';
export type { RunEvent, RunEventType, SerializedError, UsageTotals } from './run-event.js';
