/**
 * A `task` or `compensate` from the server that this SDK cannot accept (a field outside what the protocol allows: a
 * deadline too far off, an idempotency key too long) but that still names its task or compensation id. Dropped, it
 * would leave the server waiting for an answer that never comes; so it is answered as failed, not retryable — the
 * same message would be refused again — with what was wrong, and the engine fails the step.
 *
 * @example
 * const work = unacceptedWork(frame, parsed.problem);
 * if (work !== undefined) tasks.refuse(work.workId, refusalError(work));
 */
import type { MessageProblem, TaskError } from '@baton/protocol';

export interface UnacceptedWork {
  type: 'task' | 'compensate';
  /** The task id, or the compensation id. */
  workId: string;
  /** The message's own id, to acknowledge it with; undefined when it had no usable one. */
  messageId: string | undefined;
  /** What was wrong, as the protocol's parser says it. */
  problem: string;
}

const ID_FIELDS = { task: 'taskId', compensate: 'compensationId' } as const;
/** The longest id the protocol allows. */
const MAX_ID_LENGTH = 200;
const MAX_ERROR_MESSAGE_LENGTH = 10_000;

/** The work `frame` asked for, when it was refused for a wrong field and names a usable id; undefined otherwise. */
export function unacceptedWork(frame: string, problem: MessageProblem): UnacceptedWork | undefined {
  if (problem.code !== 'invalid-message') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (type !== 'task' && type !== 'compensate') return undefined;
  const workId = record[ID_FIELDS[type]];
  if (typeof workId !== 'string' || workId.length === 0 || workId.length > MAX_ID_LENGTH) return undefined;
  const messageId = problem.of === undefined || problem.of === '' ? undefined : problem.of;
  return { type, workId, messageId, problem: problem.message };
}

/** The error the refused work is answered with. */
export function refusalError(work: UnacceptedWork): TaskError {
  const message = `the server sent a ${work.type} this service cannot accept, so it did not run it: ${work.problem}`;
  return {
    message: message.length > MAX_ERROR_MESSAGE_LENGTH ? `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…` : message,
    code: work.type === 'task' ? 'invalid-task' : 'invalid-compensation',
    retryable: false,
  };
}
