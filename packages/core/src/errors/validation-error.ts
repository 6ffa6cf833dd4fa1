/** Invalid input: a registration, a plan, a step input or options. Carries every problem found, not just the first. */
import { BatonError } from './baton-error.js';

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
    const detail = problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
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
