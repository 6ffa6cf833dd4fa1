/** The shape of a model call as the cache sees it, and of the response it may keep. */

export interface CacheMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  content: string | unknown;
}

/** Who a cached answer belongs to. Answers never cross scopes. */
export interface CacheScope {
  tenant?: string;
  project?: string;
  user?: string;
}

export interface CacheRequest {
  messages: CacheMessage[];
  model: string;
  /** Generation parameters (temperature, maxTokens, topP, seed, …). */
  params?: Record<string, unknown>;
  system?: string;
  tools?: unknown;
  toolChoice?: unknown;
  responseFormat?: unknown;
  scope?: CacheScope;
  /**
   * Only the exact tier may answer: the last user turn is a key, not a question (structured input such as JSON), so it
   * is never embedded or matched semantically. Exact-only requests have a partition of their own. @default false
   */
  exactOnly?: boolean;
}

export interface CacheResponse {
  /** Why generation ended; only `stop` is cached by default. */
  finishReason?: string;
  text?: string;
  toolCalls?: unknown[];
  /** Set when the model refused. */
  refusal?: string | boolean;
  /** Set when the call failed. */
  error?: unknown;
  [key: string]: unknown;
}

export interface CacheUsage {
  inputTokens?: number;
  outputTokens?: number;
  [key: string]: unknown;
}
