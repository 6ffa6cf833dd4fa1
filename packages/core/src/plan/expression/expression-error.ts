/** ExpressionError, the one error the expression language throws, and how it quotes the source in its message. */
import { BatonError } from '../../errors/baton-error.js';
import { quoteText } from '../../errors/quote-text.js';

/** An expression that does not parse, or failed while evaluating (wrong operand types, a non-boolean condition). */
export class ExpressionError extends BatonError {
  readonly source: string;
  /** 0-based character index in `source`, or -1 when the problem is not at one place. */
  readonly position: number;

  /** `problem` says what is wrong; `hint`, placed after the location, what to do about it. */
  constructor(problem: string, details: { source: string; position?: number; hint?: string }) {
    const position = details.position ?? -1;
    const where = position >= 0 ? ` at position ${position}` : '';
    const hint = details.hint ? `; ${details.hint}` : '';
    super('expression-invalid', `${problem}${where} in ${quoteText(details.source, position)}${hint}`);
    this.name = 'ExpressionError';
    this.source = details.source;
    this.position = position;
  }

  static override isInstance(error: unknown): error is ExpressionError {
    return BatonError.isInstance(error) && error.code === 'expression-invalid';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), source: this.source, position: this.position };
  }
}
