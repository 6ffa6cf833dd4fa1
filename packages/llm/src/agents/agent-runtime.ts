/**
 * What an agent keeps between its calls: its models wrapped by `enhance()` once (so they share a cache, a breaker and
 * metrics), the tool search over its current tools, built again only when the registry's tools change, and whether
 * its `tools` have been found in the registry (checked at its first run, when the tools it names are registered).
 */
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { EnhanceConfig } from '../config/enhance-config.js';
import { assembleContext } from '../context/assemble-context.js';
import { enhance } from '../enhance.js';
import { createToolSearch } from '../tools/tool-search.js';
import {
  type AgentContext,
  type AgentModel,
  type AgentOptions,
  type AgentToolSearch,
  type AssembleContextFunction,
  type CreateToolSearchFunction,
  DEFAULT_MAX_STEPS,
} from './agent-options.js';
import { type AgentTool, checkPatternsMatch } from './agent-tools.js';

type ToolSearchIndex = Awaited<ReturnType<CreateToolSearchFunction>>;

export interface AgentRuntime {
  readonly name: string;
  readonly options: AgentOptions;
  /** In order of preference, each with its enhanced model. */
  readonly models: readonly { candidate: AgentModel; enhanced: LanguageModelV3 }[];
  readonly maxSteps: number;
  /** Model calls stream, their text sent as `text-delta` events. */
  readonly stream: boolean;
  /** A model call that fails in a way another model may not goes to the next model the budgets can pay for. */
  readonly modelFallback: boolean;
  readonly toolSearch: (Required<Pick<AgentToolSearch, 'create'>> & AgentToolSearch) | undefined;
  readonly context: (AgentContext & { assemble: AssembleContextFunction }) | undefined;
  /** The search over `tools`, reused while the same tools are offered. */
  searchFor(tools: readonly AgentTool[]): Promise<ToolSearchIndex>;
  /**
   * Until it has once passed: every name in `tools` registered and every `prefix.*` matching a target, else a
   * `ValidationError` naming each one that does not (a pattern that matches nothing would leave the agent silently
   * without the tools its author meant it to have).
   */
  checkTools(): void;
}

export interface AgentRuntimeSettings {
  /** The tools were checked by the caller (`agentFromFile`, with its MCP servers connected). @default false */
  toolsChecked?: boolean;
}

function enhanceOptions(cache: AgentOptions['cache'], candidate: AgentModel): EnhanceConfig {
  const { price } = candidate;
  const pricing = price && {
    [candidate.model.modelId]: {
      inputPer1kTokens: price.inputPerMTok / 1000,
      outputPer1kTokens: price.outputPerMTok / 1000,
    },
  };
  const base: EnhanceConfig = { enableCircuitBreaker: true, ...(pricing ? { pricing } : {}) };
  if (cache === false) return { ...base, enableCache: false };
  // In memory unless the options pick a store: a cachePath or redisUrl picks one as surely as store does.
  const picksStore = cache?.store !== undefined || cache?.cachePath !== undefined || cache?.redisUrl !== undefined;
  return { ...base, ...(picksStore ? {} : { store: 'memory' as const }), ...cache };
}

export function createAgentRuntime(
  options: AgentOptions,
  models: readonly AgentModel[],
  settings: AgentRuntimeSettings = {},
): AgentRuntime {
  let toolsChecked = settings.toolsChecked ?? false;
  let index: { key: string; search: Promise<ToolSearchIndex> } | undefined;
  const toolSearch = options.toolSearch && {
    ...options.toolSearch,
    create: options.toolSearch.create ?? createToolSearch,
  };
  const context = options.context && {
    ...options.context,
    assemble: options.context.assemble ?? assembleContext,
  };
  return {
    name: options.name,
    options,
    models: models.map((candidate) => ({
      candidate,
      enhanced: enhance(candidate.model, enhanceOptions(options.cache, candidate)),
    })),
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    stream: options.stream ?? false,
    modelFallback: options.modelFallback ?? true,
    toolSearch,
    context,
    searchFor(tools) {
      const key = JSON.stringify(tools.map((tool) => [tool.name, tool.description, tool.parameters]));
      if (index?.key !== key && toolSearch) {
        // Only what the model is shown: an agent tool also names its target, which is no key of a searchable tool.
        const shown = tools.map(({ name, description, parameters }) => ({ name, description, parameters }));
        const search = toolSearch.create(shown, { k: toolSearch.k, minScore: toolSearch.minScore });
        // A failed build is not kept: the next call tries again.
        search.catch(() => {
          if (index?.search === search) index = undefined;
        });
        index = { key, search };
      }
      return (index as NonNullable<typeof index>).search;
    },
    checkTools() {
      if (toolsChecked) return;
      checkPatternsMatch(options.registry, options.tools ?? [], options.name);
      toolsChecked = true;
    },
  };
}
