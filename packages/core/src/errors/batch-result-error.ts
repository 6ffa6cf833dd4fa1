/** A batch handler answered with something other than one output (or Error) per input, in order. */
import { BatonError } from './baton-error.js';
import { describeValue } from './describe-value.js';

export class BatchResultError extends BatonError {
  readonly target: string;
  /** How many inputs the batch had. */
  readonly expected: number;
  /** How many answers came back, or -1 when the answer was not an array. */
  readonly received: number;

  constructor(target: string, expected: number, answer: unknown) {
    const received = Array.isArray(answer) ? answer.length : -1;
    const got = received === -1 ? describeValue(answer) : `${received} answers`;
    super(
      'batch-result',
      `the batch handler of ${target} must return an array with one output or Error per input (${expected}), ` +
        `in order; got ${got}`,
    );
    this.name = 'BatchResultError';
    this.target = target;
    this.expected = expected;
    this.received = received;
  }

  static override isInstance(error: unknown): error is BatchResultError {
    return BatonError.isInstance(error) && error.code === 'batch-result';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), target: this.target, expected: this.expected, received: this.received };
  }
}
