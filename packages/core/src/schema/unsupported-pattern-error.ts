/**
 * A JSON Schema regular expression Baton will not run: not valid ECMA-262 with the `u` flag, using a feature the
 * linear-time engine lacks (backreferences, lookaround, counts above 1000), or compiling to too large a program.
 * Raised when the schema is compiled, so a registration or template carrying it is refused with a 4xx before any
 * value meets the pattern.
 */
import { BatonError } from '../errors/baton-error.js';
import { clipText } from '../errors/quote-text.js';

export type PatternProblemKind = 'syntax' | 'feature' | 'size';

export interface UnsupportedPatternDetails {
  /** The pattern as written in the schema. */
  pattern: string;
  /**
   * `syntax`: not a valid `u`-flag regex; `feature`: valid, but uses what the linear-time engine lacks; `size`: it
   * would compile to more steps than Baton runs.
   */
  kind: PatternProblemKind;
  /** What is wrong: `a backreference \1`, `about 6003 steps, more than 5000`, or the parser's syntax message. */
  reason: string;
  /** JSON Pointer of the pattern in its schema (`/properties/s/pattern`), when known. */
  place?: string;
}

export class UnsupportedPatternError extends BatonError {
  readonly pattern: string;
  readonly kind: PatternProblemKind;
  readonly reason: string;
  readonly place: string | undefined;

  constructor(details: UnsupportedPatternDetails) {
    super('unsupported-pattern', describe(details));
    this.name = 'UnsupportedPatternError';
    this.pattern = details.pattern;
    this.kind = details.kind;
    this.reason = details.reason;
    this.place = details.place;
  }

  /** The same error, located at `place` in its schema. */
  at(place: string): UnsupportedPatternError {
    return new UnsupportedPatternError({ pattern: this.pattern, kind: this.kind, reason: this.reason, place });
  }

  static override isInstance(error: unknown): error is UnsupportedPatternError {
    return BatonError.isInstance(error) && error.code === 'unsupported-pattern';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), pattern: this.pattern, kind: this.kind, reason: this.reason, place: this.place };
  }
}

function describe({ pattern, kind, reason, place }: UnsupportedPatternDetails): string {
  const subject = `${place ? `${clipText(place, 200)} ` : 'pattern '}${clipText(JSON.stringify(pattern), 120)}`;
  if (kind === 'syntax') return `${subject} is not a valid regular expression (ECMA-262 with the u flag): ${reason}`;
  if (kind === 'size') {
    return `${subject} is too large to run (${reason}): simplify it; minLength/maxLength limit a length without a pattern`;
  }
  return (
    `${subject} uses a feature Baton does not run (${reason}): patterns run on a linear-time engine (RE2), which ` +
    'has no backreferences or lookaround and repeats at most 1000 times; rewrite the pattern without it'
  );
}
