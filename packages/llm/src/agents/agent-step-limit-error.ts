/**
 * An agent made its `maxSteps` model calls and the last one still called tools instead of answering: there is no
 * answer to give, and an empty one would read as success. Not retryable — a retried step replays the same journaled
 * calls to the same end; raise `maxSteps`, or narrow the tools the agent is given.
 */
import { BatonError } from '@baton/core';

export class AgentStepLimitError extends BatonError {
  readonly agent: string;
  readonly maxSteps: number;
  /** The tools the last model call asked for, by their registered target names. */
  readonly lastTools: string[];

  constructor(agent: string, maxSteps: number, lastTools: readonly string[]) {
    const tools = lastTools.length === 0 ? 'tools' : [...new Set(lastTools)].join(', ');
    super(
      'agent-step-limit',
      `the agent "${agent}" made its ${maxSteps} model call${maxSteps === 1 ? '' : 's'} (maxSteps) and the last one ` +
        `still called ${tools} instead of answering; raise maxSteps, or give the agent fewer tools`,
    );
    this.name = 'AgentStepLimitError';
    this.agent = agent;
    this.maxSteps = maxSteps;
    this.lastTools = [...lastTools];
  }

  static override isInstance(error: unknown): error is AgentStepLimitError {
    return BatonError.isInstance(error) && error.code === 'agent-step-limit';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), agent: this.agent, maxSteps: this.maxSteps, lastTools: this.lastTools };
  }
}
