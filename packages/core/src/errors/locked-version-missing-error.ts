/**
 * A run locked a step to one version of a target (when it started, or when it first resolved it), and that version is
 * no longer registered: the run will not silently switch to another one.
 */
import { BatonError } from './baton-error.js';
import { clipText } from './quote-text.js';

export interface LockedVersionMissingDetails {
  stepId: string;
  /** `name@version` the run locked. */
  target: string;
  /** The versions of that name registered now. */
  registered: readonly string[];
}

export class LockedVersionMissingError extends BatonError {
  readonly stepId: string;
  readonly target: string;
  readonly registered: readonly string[];

  constructor(details: LockedVersionMissingDetails) {
    const registered = details.registered.length > 0 ? details.registered.join(', ') : 'none';
    super(
      'locked-version-missing',
      `step "${clipText(details.stepId)}" is locked to ${clipText(details.target)}, which is no longer registered ` +
        `(registered versions: ${registered}); register it again, or start a new run to use another version`,
    );
    this.name = 'LockedVersionMissingError';
    this.stepId = details.stepId;
    this.target = details.target;
    this.registered = [...details.registered];
  }

  static override isInstance(error: unknown): error is LockedVersionMissingError {
    return BatonError.isInstance(error) && error.code === 'locked-version-missing';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), stepId: this.stepId, target: this.target, registered: this.registered };
  }
}
