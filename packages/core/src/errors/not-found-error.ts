/** A lookup found nothing: no such target, version or capability, or every candidate was down. */
import { BatonError } from './baton-error.js';

export interface NotFoundDetails {
  /** What was asked for, e.g. `summarize@^2` or `capability:search`. */
  query: string;
  /** Candidates that matched but could not be used, with why. */
  unavailable?: readonly { name: string; version: string; reason: string }[];
  /** Registered names, to help spot a typo. */
  available?: readonly string[];
}

export class NotFoundError extends BatonError {
  readonly query: string;
  readonly unavailable: readonly { name: string; version: string; reason: string }[];
  readonly available: readonly string[];

  constructor(message: string, details: NotFoundDetails) {
    super('not-found', message);
    this.name = 'NotFoundError';
    this.query = details.query;
    this.unavailable = details.unavailable ?? [];
    this.available = details.available ?? [];
  }

  static override isInstance(error: unknown): error is NotFoundError {
    return BatonError.isInstance(error) && error.code === 'not-found';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), query: this.query, unavailable: this.unavailable, available: this.available };
  }
}
