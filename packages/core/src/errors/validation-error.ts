/** Invalid input: a registration, a plan, a step input or options. Carries every problem found, not just the first. */
import { BatonError } from './baton-error.js';
import { clipText } from './quote-text.js';

/** The message lists this many problems (each cut to 400 characters); `problems` holds them all. */
const LISTED_PROBLEMS = 20;

export interface Problem {
  /** Where the problem is, as a JSON-path-like string: `steps[2].input.customerId`, `name`. */
  path: string;
  /** Stable code such as `unknown-target`, `cycle`, `required`, `pattern`. */
  code: string;
  message: string;
}

export class ValidationError extends BatonError {
  readonly problems: readonly Problem[];

  constructor(summary: string, problems: readonly Problem[], options: { cause?: unknown } = {}) {
    const detail = summarize(problems);
    super('validation-failed', detail ? `${summary}: ${detail}` : summary, options);
    this.name = 'ValidationError';
    this.problems = problems;
  }

  static override isInstance(error: unknown): error is ValidationError {
    return BatonError.isInstance(error) && error.code === 'validation-failed';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems };
  }
}

function summarize(problems: readonly Problem[]): string {
  const listed = problems
    .slice(0, LISTED_PROBLEMS)
    .map((p) => clipText(`${clipText(String(p.path), 200) || '(root)'}: ${p.message}`, 400));
  const more = problems.length - listed.length;
  return more > 0 ? `${listed.join('; ')}; and ${more} more` : listed.join('; ');
}
