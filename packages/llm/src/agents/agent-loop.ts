/**
 * One call of an agent: the AI SDK v6 tool loop (`generateText`, `stopWhen: stepCountIs(maxSteps)`), run inside a
 * step. Before each model call `prepareStep` picks the tools (tool search over the request), assembles the context
 * within its budget and chooses the model the budgets can pay for (a `model-choice` event when there is a choice, sent
 * as the call is made: a replayed call announces nothing).
 * Each model call is a `context.memo` (its estimate reserved, its usage counted, its answer kept) through the
 * enhanced model; each tool call is a `context.call` of the registered target, with the engine's policies. So a step
 * retried, or resumed after a crash, replays the model and tool calls that finished and goes on from there.
 */
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { BudgetExceededError, type BudgetLeft, type HandlerContext, type HandlerEvent } from '@baton/core';
import { generateText, jsonSchema, type ModelMessage, stepCountIs, type Tool, tool } from 'ai';
import { cachedTokenCounter } from '../context/cached-token-counter.js';
import { countContext } from '../context/message-tokens.js';
import type { ModelPricePerMTok } from './agent-options.js';
import type { AgentRuntime } from './agent-runtime.js';
import { AgentStepLimitError } from './agent-step-limit-error.js';
import { type AgentTool, agentTools } from './agent-tools.js';
import { type GenerateAnswer, journaledModel, type OtherModel, type StoredGenerateResult } from './journaled-model.js';
import { type CallEstimate, chooseModel, estimateCall, modelName } from './model-choice.js';
import { fallbackChoice, mayFallBack } from './model-fallback.js';

export interface AgentInput {
  /** What the user asks. */
  query: string;
  /** Earlier turns of the conversation, before the query. */
  messages?: ModelMessage[];
}

export interface AgentToolCall {
  /** The model's id for the call. */
  id: string;
  /** The registered target called. */
  tool: string;
  input: unknown;
  output?: unknown;
  /** Why the call failed (the model was told so too). */
  error?: string;
}

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface AgentOutput {
  text: string;
  /** Every tool call, in the order the model made them. */
  toolCalls: AgentToolCall[];
  /** Model calls made. */
  steps: number;
  usage: AgentUsage;
  /** The model of each call (`provider:modelId`). */
  models: string[];
}

/** The model call about to start, as `prepareStep` chose it. */
interface NextModelCall {
  estimate: CallEstimate;
  /** Where the model chosen is in the agent's list: a fallback is one of those after it. */
  index: number;
  /** The call's input tokens as a model counts them. */
  inputTokensOf: (candidate: Candidate) => number;
  name: string;
  price: ModelPricePerMTok | undefined;
  /** The `model-choice` event, when there was a choice: sent only when the call is made, not when it is replayed. */
  choice: Omit<Extract<HandlerEvent, { type: 'model-choice' }>, 'type'> | undefined;
  /** The `model-call` event, sent (like the choice) only when the call is made. */
  call: Omit<Extract<HandlerEvent, { type: 'model-call' }>, 'type'>;
}

/** What one agent call tracks while the loop runs. */
interface AgentCall {
  runtime: AgentRuntime;
  context: HandlerContext;
  tools: AgentTool[];
  toolCalls: AgentToolCall[];
  usage: AgentUsage;
  models: string[];
  /** Model calls started so far: the id of the next is `model-<n + 1>`. */
  modelCalls: number;
  /** The choice `prepareStep` made for the model call about to start. */
  next: NextModelCall | undefined;
  /** An error that must end the agent rather than be shown to the model (a budget stop, an abort). */
  fatal: unknown;
}

const ID_UNSAFE = /[^A-Za-z0-9._:-]/g;

function spentOf(stored: StoredGenerateResult, price: ModelPricePerMTok | undefined): AgentUsage {
  const inputTokens = stored.usage.inputTokens.total ?? 0;
  const outputTokens = stored.usage.outputTokens.total ?? 0;
  const costUsd = price ? (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000 : 0;
  return { inputTokens, outputTokens, costUsd };
}

/** What a model call's memo keeps besides the answer: the model that gave it and its price, for a replay to count. */
interface MadeBy {
  model: string;
  price: ModelPricePerMTok | null;
}

/**
 * A candidate model whose every call is kept as the call's memo, its estimate reserved and its usage counted. A call
 * handed back from the memo counts as the model that made it, whichever the budget would choose now.
 */
function keptModel(call: AgentCall, enhanced: LanguageModelV3): LanguageModelV3 {
  const onText = call.runtime.stream ? (delta: string) => call.context.emit({ type: 'text-delta', delta }) : undefined;
  return journaledModel(
    enhanced,
    async (generate) => {
      const id = `model-${++call.modelCalls}`;
      const next = call.next as NextModelCall;
      const { estimate, choice } = next;
      const made = async (): Promise<StoredGenerateResult & { madeBy?: MadeBy }> => {
        if (choice) call.context.emit({ type: 'model-choice', ...choice });
        call.context.emit({ type: 'model-call', ...next.call });
        return answerFallingBack(call, next, generate);
      };
      const { madeBy, ...stored } = await call.context.memo(id, made, {
        estimate: { inputTokens: estimate.inputTokens, outputTokens: estimate.outputTokens, costUsd: estimate.costUsd },
        usage: (answer) => spentOf(answer, answer.madeBy ? (answer.madeBy.price ?? undefined) : next.price),
      });
      // Kept before models were recorded with their answers: counted as the model chosen now.
      const by = madeBy ?? { model: next.name, price: next.price ?? null };
      const spent = spentOf(stored, by.price ?? undefined);
      call.usage.inputTokens += spent.inputTokens;
      call.usage.outputTokens += spent.outputTokens;
      call.usage.costUsd += spent.costUsd;
      call.models.push(by.model);
      const over = ownBudgetPassed(call);
      if (over !== undefined) {
        // A call whose answer came out longer than its estimate: the agent stops here, as the run does past its own.
        call.fatal ??= over;
        throw over;
      }
      return stored;
    },
    onText,
  );
}

/**
 * The answer of the model chosen or, when it fails in a way another model may not and the agent falls back, of the
 * next one the budgets left can pay for, a `model-fallback` event at each switch. The model that answered goes with
 * the answer, so the call is paid, and replayed, as that model's.
 */
async function answerFallingBack(
  call: AgentCall,
  next: NextModelCall,
  generate: GenerateAnswer,
): Promise<StoredGenerateResult & { madeBy: MadeBy }> {
  const { models, modelFallback } = call.runtime;
  let at = { index: next.index, name: next.name, price: next.price };
  let other: OtherModel | undefined;
  for (;;) {
    try {
      return { ...(await generate(other)), madeBy: { model: at.name, price: at.price ?? null } };
    } catch (error) {
      if (!modelFallback || !mayFallBack(error, call.context.signal)) throw error;
      // The budgets left still hold this call's estimate, reserved for it: the fallback may use it instead.
      const left = budgetLeft(call, next.estimate);
      const candidates = models.map((entry) => entry.candidate);
      const fallback = fallbackChoice(candidates, at.index, next.inputTokensOf, left, call.context.stepId);
      if (fallback === undefined) throw error;
      const { candidate } = fallback.choice;
      const to = modelName(candidate);
      const reason = error instanceof Error ? error.message : String(error);
      call.context.emit({ type: 'model-fallback', from: at.name, to, reason: clipReason(reason) });
      at = { index: fallback.index, name: to, price: candidate.price };
      other = { model: models[fallback.index]!.enhanced, maxOutputTokens: candidate.maxOutputTokens };
    }
  }
}

const clipReason = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

/** The agent's own budget, when what its model calls reported passes it (an answer longer than estimated). */
function ownBudgetPassed(call: AgentCall): BudgetExceededError | undefined {
  const own = call.runtime.options.budget;
  const tokens = call.usage.inputTokens + call.usage.outputTokens;
  const passed =
    own?.tokens !== undefined && tokens > own.tokens
      ? { budget: 'tokens' as const, limit: own.tokens, amount: tokens }
      : own?.costUsd !== undefined && call.usage.costUsd > own.costUsd
        ? { budget: 'costUsd' as const, limit: own.costUsd, amount: call.usage.costUsd }
        : undefined;
  if (passed === undefined) return undefined;
  const { stepId } = call.context;
  return new BudgetExceededError({
    ...passed,
    scope: stepId,
    stepId,
    phase: 'exceeded',
    detail: `the budget of agent "${call.runtime.name}", passed by what its model calls reported`,
  });
}

function isFatal(error: unknown, signal: AbortSignal): boolean {
  return (
    signal.aborted || BudgetExceededError.isInstance(error) || BudgetExceededError.isInstance((error as Error)?.cause)
  );
}

/** Runs a tool call through the engine as a sub-call named by the model call that asked and the model's id. */
async function executeTool(
  call: AgentCall,
  agentTool: AgentTool,
  input: unknown,
  toolCallId: string,
): Promise<unknown> {
  const record: AgentToolCall = { id: toolCallId, tool: agentTool.target, input };
  call.toolCalls.push(record);
  const id = `tool-${call.modelCalls}-${toolCallId.replace(ID_UNSAFE, '-')}`.slice(0, 200);
  try {
    record.output = await call.context.call(agentTool.target, input, { id, keepFailure: true });
    return record.output;
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
    if (isFatal(error, call.context.signal)) call.fatal ??= error;
    throw error;
  }
}

function sdkTools(call: AgentCall): Record<string, Tool> {
  return Object.fromEntries(
    call.tools.map((agentTool) => [
      agentTool.name,
      tool({
        description: agentTool.description,
        inputSchema: jsonSchema(agentTool.parameters),
        execute: (input: unknown, { toolCallId }) => executeTool(call, agentTool, input, toolCallId),
      }),
    ]),
  );
}

/**
 * The tighter of the run's and step's budgets and the agent's own, less what this call spent; with `reserved`, the
 * estimate a model call in flight holds back from the run's and step's is counted as left.
 */
function budgetLeft(call: AgentCall, reserved?: CallEstimate): BudgetLeft {
  const held = call.context.budgetLeft();
  const plus = (amount: number | undefined, more: number) => (amount === undefined ? undefined : amount + more);
  const left = reserved
    ? { tokens: plus(held.tokens, reserved.tokens), costUsd: plus(held.costUsd, reserved.costUsd) }
    : held;
  const own = call.runtime.options.budget;
  const spentTokens = call.usage.inputTokens + call.usage.outputTokens;
  const tighter = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  return {
    tokens: tighter(left.tokens, own?.tokens === undefined ? undefined : Math.max(0, own.tokens - spentTokens)),
    costUsd: tighter(
      left.costUsd,
      own?.costUsd === undefined ? undefined : Math.max(0, own.costUsd - call.usage.costUsd),
    ),
  };
}

/** The text of the last user message: what the tools are searched for. */
function lastUserText(messages: readonly ModelMessage[]): string {
  const message = messages.findLast((candidate) => candidate.role === 'user');
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

async function offeredTools(call: AgentCall, messages: readonly ModelMessage[]): Promise<AgentTool[]> {
  const { toolSearch } = call.runtime;
  if (!toolSearch || call.tools.length === 0) return call.tools;
  const query = lastUserText(messages);
  const hits = await (await call.runtime.searchFor(call.tools)).search(query, {
    k: toolSearch.k,
    minScore: toolSearch.minScore,
  });
  const names = new Set(hits.map((hit) => hit.name));
  return call.tools.filter((agentTool) => names.has(agentTool.name));
}

type Candidate = AgentRuntime['models'][number]['candidate'];

/**
 * The messages to send: assembled within the context budget when the agent has one, else as they are — counted with
 * `model`'s tokenizer, room kept for `model`'s longest answer.
 */
async function contextOf(
  call: AgentCall,
  messages: ModelMessage[],
  offered: readonly AgentTool[],
  model: Candidate | undefined,
): Promise<{ messages: ModelMessage[]; assembled: boolean }> {
  const { context } = call.runtime;
  if (!context) return { messages, assembled: false };
  const system = messages[0]?.role === 'system' ? (messages[0].content as string) : undefined;
  const assembled = await context.assemble({
    model: model?.model.modelId ?? '',
    system,
    messages: system === undefined ? messages : messages.slice(1),
    tools: offered,
    budget: {
      maxInputTokens: context.maxInputTokens,
      reserveOutputTokens: context.reserveOutputTokens ?? estimateCall(model as Candidate, 0).outputTokens,
    },
    abortSignal: call.context.signal,
  });
  return { messages: assembled.messages, assembled: true };
}

function prepareStepOf(call: AgentCall, kept: LanguageModelV3[]) {
  return async ({ messages }: { messages: ModelMessage[] }) => {
    const offered = await offeredTools(call, messages);
    const candidates = call.runtime.models.map((entry) => entry.candidate);
    let sent = await contextOf(call, messages, offered, candidates[0]);
    const inputTokensOf = (candidate: Candidate) =>
      countContext(cachedTokenCounter(candidate.model.modelId), sent.messages, offered);
    const choice = chooseModel(candidates, inputTokensOf, budgetLeft(call), call.context.stepId);
    if (sent.assembled && choice.candidate !== candidates[0]) {
      // Assembled for the preferred model; the one chosen counts with its own tokenizer and keeps its own answer room.
      sent = await contextOf(call, messages, offered, choice.candidate);
      choice.estimate = estimateCall(choice.candidate, inputTokensOf(choice.candidate));
    }
    const name = modelName(choice.candidate);
    const { tokens, costUsd } = choice.estimate;
    call.next = {
      estimate: choice.estimate,
      index: candidates.indexOf(choice.candidate),
      inputTokensOf,
      name,
      price: choice.candidate.price,
      choice:
        candidates.length > 1 ? { model: name, skipped: choice.skipped, estimate: { tokens, costUsd } } : undefined,
      call: {
        model: name,
        tools: offered.map((agentTool) => agentTool.target),
        inputTokens: choice.estimate.inputTokens,
        assembled: sent.assembled,
      },
    };
    return {
      model: kept[candidates.indexOf(choice.candidate)] as LanguageModelV3,
      activeTools: offered.map((agentTool) => agentTool.name),
      ...(sent.assembled ? { messages: sent.messages } : {}),
      ...(choice.candidate.maxOutputTokens ? { maxOutputTokens: choice.candidate.maxOutputTokens } : {}),
    };
  };
}

function firstMessages(runtime: AgentRuntime, input: AgentInput): ModelMessage[] {
  const system = runtime.options.system;
  return [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    ...(input.messages ?? []),
    { role: 'user', content: input.query },
  ];
}

/**
 * @example
 * // the handler of a target made by defineAgent:
 * handler: (input, context) => runAgent(runtime, input, context)
 */
export async function runAgent(
  runtime: AgentRuntime,
  input: AgentInput,
  context: HandlerContext,
): Promise<AgentOutput> {
  runtime.checkTools();
  const call: AgentCall = {
    runtime,
    context,
    tools: agentTools(runtime.options.registry, runtime.options.tools ?? [], runtime.name),
    toolCalls: [],
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    models: [],
    modelCalls: 0,
    next: undefined,
    fatal: undefined,
  };
  const kept = runtime.models.map((entry) => keptModel(call, entry.enhanced));
  try {
    const result = await generateText({
      model: kept[0] as LanguageModelV3,
      messages: firstMessages(runtime, input),
      allowSystemInMessages: true,
      tools: sdkTools(call),
      stopWhen: stepCountIs(runtime.maxSteps),
      prepareStep: prepareStepOf(call, kept),
      maxRetries: 0,
      abortSignal: context.signal,
    });
    if (call.fatal) throw call.fatal;
    if (result.finishReason === 'tool-calls') {
      throw new AgentStepLimitError(
        runtime.name,
        runtime.maxSteps,
        // Named as registered, as the run's events name them, not by the provider-safe names the model saw.
        result.toolCalls.map(
          (toolCall) =>
            call.tools.find((agentTool) => agentTool.name === toolCall.toolName)?.target ?? toolCall.toolName,
        ),
      );
    }
    return {
      text: result.text,
      toolCalls: call.toolCalls,
      steps: result.steps.length,
      usage: call.usage,
      models: call.models,
    };
  } catch (error) {
    throw call.fatal ?? error;
  }
}
