/**
 * A step resumed (or retried) asked, under an id its journal already holds, for something else than what was journaled
 * under it: another target, another input, or a memo where a call was. Replaying the journaled result would hand the
 * handler another call's answer, and calling for real would act twice, so the step stops: its handler does not make
 * the same calls in the same order when given the same results.
 */
import { BatonError } from './baton-error.js';
import { clipText } from './quote-text.js';

export interface ReplayMismatchDetails {
  stepId: string;
  /** The sub-call's id (call order, or given). */
  callId: string;
  /** What the journal holds under that id: `call of <target>` or `memo`. */
  journaled: string;
  /** What the handler asked for now. */
  requested: string;
}

export class ReplayMismatchError extends BatonError {
  readonly stepId: string;
  readonly callId: string;
  readonly journaled: string;
  readonly requested: string;

  constructor(details: ReplayMismatchDetails) {
    super(
      'replay-mismatch',
      `step "${clipText(details.stepId)}" asked for ${clipText(details.requested)} as "${clipText(details.callId)}", ` +
        `but its journal holds ${clipText(details.journaled)} there: the handler must make the same sub-calls, in the ` +
        'same order, when given the same results (give each call an id of its own to make it independent of order)',
      { retryable: false },
    );
    this.name = 'ReplayMismatchError';
    this.stepId = details.stepId;
    this.callId = details.callId;
    this.journaled = details.journaled;
    this.requested = details.requested;
  }

  static override isInstance(error: unknown): error is ReplayMismatchError {
    return BatonError.isInstance(error) && error.code === 'replay-mismatch';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      stepId: this.stepId,
      callId: this.callId,
      journaled: this.journaled,
      requested: this.requested,
    };
  }
}
