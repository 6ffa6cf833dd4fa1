/** Why an action got no plan: each a `BatonError` with typed fields, so a server can answer with the right status. */
import { BatonError, type Problem } from '@baton/core';
import type { PlanningAttempt } from './planning-decision.js';

/** The model answered, `maxAttempts` times, with plans that do not validate (or with no usable answer). */
export class PlanningFailedError extends BatonError {
  readonly attempts: readonly PlanningAttempt[];

  constructor(attempts: readonly PlanningAttempt[]) {
    const last = attempts.at(-1);
    const why =
      last?.error ?? last?.problems.map((problem) => `${problem.path || '(plan)'}: ${problem.message}`).join('; ');
    super(
      'planning-failed',
      `the model gave no valid plan in ${attempts.length} attempt${attempts.length === 1 ? '' : 's'}${why ? `; the last: ${why.slice(0, 600)}` : ''}`,
    );
    this.name = 'PlanningFailedError';
    this.attempts = attempts;
  }

  static override isInstance(error: unknown): error is PlanningFailedError {
    return BatonError.isInstance(error) && error.code === 'planning-failed';
  }

  /** The problems of the last attempt. */
  get problems(): readonly Problem[] {
    return this.attempts.at(-1)?.problems ?? [];
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), attempts: this.attempts };
  }
}

/** The model found that the action cannot be done with what is registered. */
export class NotActionableError extends BatonError {
  readonly reason: string;
  /** The model's attempts, the last of which said so (none when there was nothing to plan with). */
  readonly attempts: readonly PlanningAttempt[];

  constructor(reason: string, attempts: readonly PlanningAttempt[] = []) {
    super('not-actionable', `the action cannot be done with the registered services: ${reason}`);
    this.name = 'NotActionableError';
    this.reason = reason;
    this.attempts = attempts;
  }

  static override isInstance(error: unknown): error is NotActionableError {
    return BatonError.isInstance(error) && error.code === 'not-actionable';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, attempts: this.attempts };
  }
}

/** The model endpoint could not be used (refused the key, kept failing after retries): not a problem of the plan. */
export class PlannerUnavailableError extends BatonError {
  /** The endpoint's HTTP status, when it answered. */
  readonly status: number | undefined;
  readonly attempts: readonly PlanningAttempt[];

  constructor(
    message: string,
    status: number | undefined,
    attempts: readonly PlanningAttempt[],
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super('planner-unavailable', `the planning model could not be reached: ${message}`, options);
    this.name = 'PlannerUnavailableError';
    this.status = status;
    this.attempts = attempts;
  }

  static override isInstance(error: unknown): error is PlannerUnavailableError {
    return BatonError.isInstance(error) && error.code === 'planner-unavailable';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, attempts: this.attempts };
  }
}

/** No template matched and no model is configured to plan. */
export class NoPlannerError extends BatonError {
  readonly action: string;
  /** A template whose example the action matched, but whose param refused the value it gave, and why. */
  readonly closest: { template: string; reason: string } | undefined;

  constructor(action: string, closest?: { template: string; reason: string }) {
    const refused = closest ? ` (the template "${closest.template}" matched its words, but ${closest.reason})` : '';
    super(
      'no-planner',
      `no plan template matches ${JSON.stringify(action.length > 120 ? `${action.slice(0, 120)}…` : action)}${refused} and no model is configured to plan it: give the planner a model (in a program, an LlmPlanner({ model }); for the server and the CLI, set BATON_LLM_BASE_URL and BATON_LLM_MODEL, and BATON_LLM_API_KEY if the endpoint needs one), register a plan template whose examples cover the action, or send an explicit plan`,
    );
    this.name = 'NoPlannerError';
    this.action = action;
    this.closest = closest;
  }

  static override isInstance(error: unknown): error is NoPlannerError {
    return BatonError.isInstance(error) && error.code === 'no-planner';
  }
}

/** The model did not answer within the planner's time limit (every attempt and retry included). */
export class PlanningTimeoutError extends BatonError {
  readonly timeoutMs: number;
  readonly attempts: readonly PlanningAttempt[];

  constructor(timeoutMs: number, attempts: readonly PlanningAttempt[], options: { cause?: unknown } = {}) {
    super('planning-timeout', `planning took longer than ${timeoutMs} ms`, { ...options, retryable: true });
    this.name = 'PlanningTimeoutError';
    this.timeoutMs = timeoutMs;
    this.attempts = attempts;
  }

  static override isInstance(error: unknown): error is PlanningTimeoutError {
    return BatonError.isInstance(error) && error.code === 'planning-timeout';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs, attempts: this.attempts };
  }
}
