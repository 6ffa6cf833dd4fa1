/**
 * `@baton/llm/testing`: a local OpenAI-compatible server for tests that reach a model through the real provider
 * client (chat completions with recorded answers and tool calls, one-off failures, held replies; embeddings).
 */
export {
  type ChatBody,
  type ChatServer,
  type ChatServerOptions,
  type ChatToolCallsReply,
  EMBEDDING_DIMENSION,
  startChatServer,
} from './openai-compatible-server.js';
