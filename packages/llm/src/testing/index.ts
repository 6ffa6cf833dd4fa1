/**
 * `@baton/llm/testing`: a local OpenAI-compatible server for tests that reach a model through the real provider
 * client (chat completions with recorded answers, one-off failures, held replies; embeddings).
 */
export {
  type ChatServer,
  type ChatServerOptions,
  EMBEDDING_DIMENSION,
  startChatServer,
} from './openai-compatible-server.js';
