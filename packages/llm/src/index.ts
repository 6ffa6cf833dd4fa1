/**
 * @baton/llm — Baton's model layer: `enhance()` adds a verified semantic cache, a circuit breaker, context injection,
 * cost metrics and a call recorder to AI SDK v6 models, LangGraph.js graphs and async functions.
 */

export { loadAgentFile, parseAgentFile } from './agents/agent-file.js';
export { AgentFileError, type AgentFileProblem } from './agents/agent-file-error.js';
export {
  type AgentFile,
  agentFileSchema,
  type McpServerEntry,
  type ModelEndpoint,
} from './agents/agent-file-schema.js';
export {
  type AgentFromFileOptions,
  agentFromFile,
  type ConnectMcpFunction,
  type FileAgent,
} from './agents/agent-from-file.js';
export type { AgentInput, AgentOutput, AgentToolCall, AgentUsage } from './agents/agent-loop.js';
export type {
  AgentContext,
  AgentModel,
  AgentOptions,
  AgentToolSearch,
  AssembleContextFunction,
  CreateToolSearchFunction,
  ModelPricePerMTok,
} from './agents/agent-options.js';
export { AgentStepLimitError } from './agents/agent-step-limit-error.js';
export { type AgentTool, agentTools, modelToolName } from './agents/agent-tools.js';
export { defineAgent } from './agents/define-agent.js';
export { ModelCallError } from './agents/model-call-error.js';
export { type CallEstimate, chooseModel, estimateCall, type ModelChoice } from './agents/model-choice.js';
export { modelStreamFetch } from './agents/model-stream-fetch.js';
export { type NotAModelStreamDetails, NotAModelStreamError } from './agents/not-a-model-stream-error.js';
export { batonMiddleware } from './ai-sdk/cache-middleware.js';
export { type EnhancedModel, enhanceModel, isLanguageModel } from './ai-sdk/enhance-model.js';
export type { EnhanceConfig, ModelPrice, PromptSource, ScopeSource } from './config/enhance-config.js';
export {
  DEFAULT_CACHE_PATH,
  DEFAULT_CONTEXT_TEMPLATE,
  type ResolvedConfig,
  resolveConfig,
} from './config/resolve-config.js';
export { EMBEDDER_NAMES, resolveEmbedder } from './config/resolve-embedder.js';
export { assembleContext } from './context/assemble-context.js';
export { cachedTokenCounter } from './context/cached-token-counter.js';
export {
  type CompressionCase,
  type CompressionCaseResult,
  type CompressionEvaluation,
  type CompressionEvaluationOptions,
  evaluateCompression,
  type KeyFact,
  readCompressionSet,
} from './context/compression-evaluation.js';
export type {
  AssembleContextOptions,
  AssembledContext,
  CompressStrategy,
  ContextBudget,
  ContextDocument,
  ContextItemKind,
  ContextItemStatus,
  ContextManifestItem,
  ContextStrategies,
  ContextSummary,
  ProviderCaps,
  SummariseStrategy,
} from './context/context-options.js';
export {
  type ContextLimit,
  type ContextOverflowDetails,
  ContextOverflowError,
} from './context/context-overflow-error.js';
export { countContext, messageTokens } from './context/message-tokens.js';
export { renderContext } from './context/render-context.js';
export { enhance } from './enhance.js';
export { type AsyncFunction, type EnhancedFunction, enhanceFunction } from './function/enhance-function.js';
export { type EnhancedGraph, enhanceGraph, type GraphLike, isGraph } from './langgraph/enhance-graph.js';
export {
  type BatonMcpServer,
  type BatonMcpServerOptions,
  createBatonMcpServer,
} from './mcp/baton-mcp-server.js';
export {
  type ConnectMcpServersOptions,
  connectMcpServers,
  type McpConnections,
  type McpServerStatus,
} from './mcp/connect-mcp-servers.js';
export type { McpConnectionEvent } from './mcp/mcp-connection-event.js';
export { McpCallOutcomeUnknownError, McpConnectionError, McpToolError } from './mcp/mcp-errors.js';
export { listenMcpHttp, type McpHttpListener, type McpHttpListenerOptions } from './mcp/mcp-http-listener.js';
export { McpNotAServerError } from './mcp/mcp-not-a-server-error.js';
export { checkMcpServerConfigs, type McpServerConfig } from './mcp/mcp-server-config.js';
export { mcpToolTargetName } from './mcp/mcp-tool-name.js';
export type { McpToolDescription, McpToolResult } from './mcp/mcp-tool-provider.js';
export type { McpToolChanges, SkippedMcpTool } from './mcp/mcp-tool-set.js';
export type { McpToolInfo, McpToolMetadata } from './mcp/mcp-tool-target.js';
export type { BatonServerConnection } from './mcp/orchestration-mcp-tools.js';
export { registryFromModule } from './mcp/targets-module.js';
export { costOf, type TokenCount, tokensOf } from './metrics/pricing.js';
export type { EnhanceMetrics, HitTier } from './metrics/usage-metrics.js';
export {
  type ActionPlan,
  ActionPlanner,
  type ActionPlannerOptions,
  type ActionRequest,
  refusedByParam,
} from './planning/action-planner.js';
export { type DataRead, dataReads, missingDataProblems } from './planning/data-reads.js';
export { LlmPlanner, type LlmPlannerOptions, type PlanRequest } from './planning/llm-planner.js';
export { type CachedPlan, PlanCache, type PlanCacheKey, type PlanCacheOptions } from './planning/plan-cache.js';
export { type PlannerModelSettings, plannerModel, plannerModelSettings } from './planning/planner-model.js';
export type {
  PlannedAction,
  PlanningAttempt,
  PlanningDecision,
  PlanningUsage,
} from './planning/planning-decision.js';
export {
  NoPlannerError,
  NotActionableError,
  PlannerUnavailableError,
  PlanningFailedError,
  PlanningTimeoutError,
} from './planning/planning-errors.js';
export { type PlanningTarget, registryFingerprint } from './planning/planning-target.js';
export { registryTargets } from './planning/registry-targets.js';
export {
  evaluateTemplates,
  type LabelledAction,
  parseLabelledActions,
  type TemplateEvaluation,
} from './planning/template-evaluation.js';
export {
  type TemplateMatch,
  TemplateMatcher,
  type TemplateMatcherOptions,
  type TemplateMiss,
} from './planning/template-matcher.js';
export { type AskingEngine, type AskResult, withAsk } from './planning/with-ask.js';
export type { CallRecord } from './recorder/call-recorder.js';
export { type EnhancedControls, EnhanceRuntime, type RunResult } from './runtime/enhance-runtime.js';
export {
  type CountedMessage,
  type CountedTool,
  encodingOf,
  type TokenCounter,
  type TokenCounterOptions,
  tokenCounter,
} from './tokens/token-counter.js';
export { type LabelledToolQuery, parseLabelledToolQueries } from './tools/labelled-tool-queries.js';
export { checkSearchableTools, type SearchableTool } from './tools/searchable-tool.js';
export { ToolDataError } from './tools/tool-data-error.js';
export { parseToolList } from './tools/tool-list.js';
export {
  createToolSearch,
  DEFAULT_TOOL_SEARCH_K,
  type ToolHit,
  type ToolSearch,
  type ToolSearchOptions,
  type ToolSearchQueryOptions,
} from './tools/tool-search.js';
export {
  evaluateToolSearch,
  type ToolSearchEvaluation,
  type ToolSearchEvaluationOptions,
} from './tools/tool-search-evaluation.js';
