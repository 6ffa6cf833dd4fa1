/**
 * Plans an action with a language model (AI SDK v6, structured output), then validates the plan and, when it does not
 * validate, gives the model its problems as data to repair it: at most `maxAttempts` answers. Each attempt is recorded
 * with its problems, tokens and cost. Rate limits and server errors are retried by the AI SDK (honouring
 * `Retry-After`); an answer that is not JSON counts as an attempt and is repaired like an invalid plan.
 *
 * @example
 * const planner = new LlmPlanner({ model: openai('gpt-4.1-mini') });
 * const { plan, decision } = await planner.plan({ action, data, targets, validate: (plan) => problemsOf(plan) });
 */
import { APICallError, InvalidResponseDataError } from '@ai-sdk/provider';
import type { Plan, Problem } from '@baton/core';
import {
  generateText,
  jsonSchema,
  type LanguageModel,
  type ModelMessage,
  NoObjectGeneratedError,
  Output,
  RetryError,
} from 'ai';
import type { ModelPrice } from '../config/enhance-config.js';
import { costOf } from '../metrics/pricing.js';
import { createToolSearch, type ToolSearch } from '../tools/tool-search.js';
import { missingDataProblems } from './data-reads.js';
import { planAnswerSchema, readPlanAnswer } from './plan-answer.js';
import {
  addUsage,
  NO_USAGE,
  type PlannedAction,
  type PlanningAttempt,
  type PlanningUsage,
} from './planning-decision.js';
import {
  NotActionableError,
  PlannerUnavailableError,
  PlanningFailedError,
  PlanningTimeoutError,
} from './planning-errors.js';
import { PLANNING_SYSTEM_PROMPT, planningUserPrompt, repairPrompt } from './planning-prompt.js';
import type { PlanningTarget } from './planning-target.js';

export interface LlmPlannerOptions {
  model: LanguageModel;
  /** Answers asked for at most, the first included. @default 3 */
  maxAttempts?: number;
  /** The longest one planning may take, every attempt and retry included. @default 60000 */
  timeoutMs?: number;
  /** Retries of one call that failed with a rate limit or a server error (the AI SDK's, honouring Retry-After). @default 2 */
  maxRetries?: number;
  /** Show the model the request's values, not only their field names and types. @default false */
  shareValues?: boolean;
  /** Prices per model id, for the cost recorded with each attempt. @default none: cost 0 */
  pricing?: Readonly<Record<string, ModelPrice>>;
  /**
   * With more than `threshold` targets, show the model only the `k` most relevant to the action (tool search over
   * their names, descriptions and input schemas), so a large registry neither floods the prompt nor buries the
   * targets that fit; `false` always shows every target.
   * @default { threshold: 20, k: 12 }
   */
  targetSearch?: TargetSearchOptions | false;
}

export interface TargetSearchOptions {
  /** Targets shown in full up to this many. @default 20 */
  threshold?: number;
  /** Targets shown past the threshold. @default 12 */
  k?: number;
}

export interface PlanRequest {
  action: string;
  data: Readonly<Record<string, unknown>>;
  targets: readonly PlanningTarget[];
  /** The plan's problems (none when it may run): the caller's `validatePlan` over its registry. */
  validate(plan: Plan): readonly Problem[] | Promise<readonly Problem[]>;
  /** Steps the plan may have at most: 1 asks for the one target that fits (`withAsk`). */
  maxSteps?: number;
  signal?: AbortSignal;
}

const DEFAULTS = { maxAttempts: 3, timeoutMs: 60_000, maxRetries: 2 };
const TARGET_SEARCH_DEFAULTS = { threshold: 20, k: 12 };

export class LlmPlanner {
  readonly modelId: string;
  readonly #options: LlmPlannerOptions;
  /** The search over the targets last planned with, rebuilt when they change. */
  #targetSearch: { key: string; search: Promise<ToolSearch> } | undefined;

  constructor(options: LlmPlannerOptions) {
    for (const [key, value] of Object.entries(options.targetSearch || {})) {
      if (!(Number.isInteger(value) && (value as number) >= 1)) {
        throw new RangeError(`LlmPlanner: targetSearch.${key} must be a whole number ≥ 1, got ${String(value)}`);
      }
    }
    for (const key of ['maxAttempts', 'timeoutMs', 'maxRetries'] as const) {
      const value = options[key];
      if (value !== undefined && (!Number.isInteger(value) || value < (key === 'maxRetries' ? 0 : 1))) {
        throw new RangeError(
          `LlmPlanner: ${key} must be a whole number${key === 'maxRetries' ? ' ≥ 0' : ' ≥ 1'}, got ${String(value)}`,
        );
      }
    }
    this.#options = options;
    this.modelId = typeof options.model === 'string' ? options.model : options.model.modelId;
  }

  /** Whether the model is shown the request's values (a plan it made is then reused only for the same values). */
  get sharesValues(): boolean {
    return this.#options.shareValues === true;
  }

  async plan(request: PlanRequest): Promise<PlannedAction> {
    const { maxAttempts, timeoutMs, maxRetries } = { ...DEFAULTS, ...definedOf(this.#options) };
    const attempts: PlanningAttempt[] = [];
    if (request.targets.length === 0) throw new NotActionableError('no services or agents are registered');
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const targets = await this.#shownTargets(request);
    const schema = jsonSchema(planAnswerSchema(targets, request.maxSteps));
    const prompt = planningUserPrompt({
      ...request,
      targets,
      registeredTargets: request.targets.length,
      shareValues: this.#options.shareValues,
    });
    const messages: ModelMessage[] = [{ role: 'user', content: prompt }];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let text: string;
      let answer: unknown;
      let usage: PlanningUsage;
      try {
        const result = await generateText({
          model: this.#options.model,
          system:
            request.maxSteps === undefined
              ? PLANNING_SYSTEM_PROMPT
              : `${PLANNING_SYSTEM_PROMPT}\n${stepLimit(request.maxSteps)}`,
          messages,
          output: Output.object({
            schema,
            name: 'plan_answer',
            description: 'A Baton plan, or why the action is not actionable',
          }),
          maxRetries,
          abortSignal: signal,
          temperature: 0,
        });
        text = result.text;
        answer = result.output;
        usage = this.#usageOf(result.usage);
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        if (timeout.aborted) throw new PlanningTimeoutError(timeoutMs, attempts, { cause: error });
        if (InvalidResponseDataError.isInstance(error)) {
          // The endpoint answered, but with nothing to read (a 200 with no choices): an attempt, asked again.
          const reason = `the answer held nothing to read (${clip(error.message, 200)})`;
          const none = this.#usageOf(undefined);
          attempts.push({
            attempt,
            outcome: 'no-answer',
            problems: [],
            error: reason,
            usage: none,
            durationMs: elapsed(),
          });
          continue;
        }
        if (!NoObjectGeneratedError.isInstance(error)) throw unavailable(error, attempts);
        usage = this.#usageOf(error.usage);
        const reason = `it is not valid JSON (${clip(error.text ?? '(empty)', 200)})`;
        attempts.push({ attempt, outcome: 'no-answer', problems: [], error: reason, usage, durationMs: elapsed() });
        messages.push(
          { role: 'assistant', content: error.text ?? '' },
          { role: 'user', content: repairPrompt(undefined, reason) },
        );
        continue;
      }
      const read = readPlanAnswer(answer);
      if (typeof read === 'string') {
        attempts.push({ attempt, outcome: 'no-answer', problems: [], error: read, usage, durationMs: elapsed() });
        messages.push({ role: 'assistant', content: text }, { role: 'user', content: repairPrompt(undefined, read) });
        continue;
      }
      if (!read.actionable) {
        attempts.push({ attempt, outcome: 'not-actionable', problems: [], usage, durationMs: elapsed() });
        throw new NotActionableError(read.reason, attempts);
      }
      const problems = [
        ...stepLimitProblems(read.plan, request.maxSteps),
        ...missingDataProblems(read.plan, request.data),
        ...(await request.validate(read.plan)),
      ];
      attempts.push({
        attempt,
        outcome: problems.length === 0 ? 'valid' : 'invalid',
        problems,
        usage,
        durationMs: elapsed(),
      });
      if (problems.length === 0) {
        const total = attempts.reduce((sum, each) => addUsage(sum, each.usage), NO_USAGE);
        return { plan: read.plan, decision: { planner: 'llm', model: this.modelId, attempts, usage: total } };
      }
      messages.push({ role: 'assistant', content: text }, { role: 'user', content: repairPrompt(problems) });
    }
    throw new PlanningFailedError(attempts);
  }

  /** Every target, or past the threshold the `k` most relevant to the action and the request's field names. */
  async #shownTargets(request: PlanRequest): Promise<readonly PlanningTarget[]> {
    if (this.#options.targetSearch === false) return request.targets;
    const { threshold, k } = { ...TARGET_SEARCH_DEFAULTS, ...this.#options.targetSearch };
    if (request.targets.length <= threshold) return request.targets;
    const key = JSON.stringify(request.targets.map((target) => [target.name, target.description, target.inputSchema]));
    if (this.#targetSearch?.key !== key) {
      const searchable = request.targets.map((target) => ({
        name: target.name,
        description: target.description,
        parameters: target.inputSchema,
      }));
      const search = createToolSearch(searchable, { k });
      search.catch(() => {
        if (this.#targetSearch?.search === search) this.#targetSearch = undefined;
      });
      this.#targetSearch = { key, search };
    }
    const query = [request.action, ...Object.keys(request.data)].join(' ');
    const hits = await (await this.#targetSearch.search).search(query, { k });
    const shown = new Set(hits.map((hit) => hit.name));
    return request.targets.filter((target) => shown.has(target.name));
  }

  #usageOf(usage: { inputTokens?: number; outputTokens?: number } | undefined): PlanningUsage {
    const tokens = { inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
    const costUsd = this.#options.pricing ? costOf(this.modelId, tokens, this.#options.pricing, 0) : 0;
    return { ...tokens, costUsd };
  }
}

const stepLimit = (maxSteps: number) =>
  maxSteps === 1
    ? 'The plan must have exactly one step: choose the one target that fits the action best.'
    : `The plan may have at most ${maxSteps} steps.`;

function stepLimitProblems(plan: Plan, maxSteps: number | undefined): Problem[] {
  if (maxSteps === undefined || plan.steps.length <= maxSteps) return [];
  return [
    {
      path: 'steps',
      code: 'too-many-steps',
      message: `at most ${maxSteps} step${maxSteps === 1 ? '' : 's'}, got ${plan.steps.length}`,
    },
  ];
}

function definedOf<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function unavailable(error: unknown, attempts: readonly PlanningAttempt[]): PlannerUnavailableError {
  const last = RetryError.isInstance(error) ? error.lastError : error;
  const status = APICallError.isInstance(last) ? last.statusCode : undefined;
  const message = last instanceof Error ? last.message : String(last);
  const retryable = APICallError.isInstance(last) ? last.isRetryable : true;
  return new PlannerUnavailableError(clip(message, 300), status, attempts, { cause: error, retryable });
}
