/**
 * How a followed orchestration's steps are shown: redrawn in place on a terminal (`log-update` draws the region; no
 * cursor codes of our own), or one plain line per change of a step's state when stdout is a pipe or a file.
 */
import { createLogUpdate } from 'log-update';
import type { Io, OutputStream } from '../io.js';
import { clip, formatDuration, padEnd, stringWidth } from '../render/text-format.js';
import { describeState, type StepBoard, type StepView } from './step-board.js';

export interface StepDisplay {
  /** Starts showing the board's steps. */
  start(board: StepBoard): void;
  /** A step's state changed. */
  change(step: StepView): void;
  /** Lines that stay above the steps (a plan, a note). */
  print(lines: readonly string[]): void;
  /** The orchestration ended: shows the final state and lets go of the terminal. */
  stop(): void;
}

/** How often the live display redraws, so running steps' elapsed times move. */
const REDRAW_MS = 1000;

export function createLiveDisplay(io: Io, stream: OutputStream, orchestrationId: string): StepDisplay {
  const log = createLogUpdate(stream as NodeJS.WritableStream);
  const startedAt = Date.now();
  let board: StepBoard | undefined;
  let timer: NodeJS.Timeout | undefined;
  const frame = () => {
    if (board === undefined) return;
    const now = Date.now();
    const steps = board.steps();
    const done = steps.filter((step) => step.state === 'done').length;
    const idWidth = Math.max(...steps.map((step) => stringWidth(step.id)));
    const targetWidth = Math.max(...steps.map((step) => stringWidth(step.service ?? step.target)));
    // One terminal line per step: a long error is cut rather than wrapped into the lines below.
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    const lines = steps.map((step) =>
      clip(
        `  ${padEnd(step.id, idWidth)}  ${padEnd(step.service ?? step.target, targetWidth)}  ${describeState(step, now)}`,
        width,
      ),
    );
    log(
      [`${orchestrationId}  ${done} of ${steps.length} steps done  ${formatDuration(now - startedAt)}`, ...lines].join(
        '\n',
      ),
    );
  };
  return {
    start(next) {
      board = next;
      frame();
      timer ??= setInterval(frame, REDRAW_MS);
      timer.unref();
    },
    change: () => frame(),
    print(lines) {
      log.clear();
      for (const line of lines) io.out(line);
      frame();
    },
    stop() {
      clearInterval(timer);
      frame();
      log.done();
    },
  };
}

export function createPlainDisplay(io: Io): StepDisplay {
  return {
    start: () => {},
    change: (step) => io.out(plainLine(step)),
    print: (lines) => {
      for (const line of lines) io.out(line);
    },
    stop: () => {},
  };
}

/** `step a done in 12ms (weather@1)`: one step's new state, as a line of a log. */
export function plainLine(step: StepView): string {
  const service = step.service ?? step.target;
  const took =
    step.startedAt !== undefined && step.finishedAt !== undefined
      ? ` in ${formatDuration(step.finishedAt - step.startedAt)}`
      : '';
  const note = step.note ? `: ${step.note}` : '';
  switch (step.state) {
    case 'running':
      return `step ${step.id} running (${service})`;
    case 'done':
      return `step ${step.id} done${took} (${service})`;
    case 'failed':
      return `step ${step.id} failed${took} after ${step.attempts} attempt${step.attempts === 1 ? '' : 's'} (${service})${note}`;
    default:
      return `step ${step.id} ${step.state}${note}`;
  }
}
