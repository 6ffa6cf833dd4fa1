/**
 * The input tokens of one model call as a model counts them (`tokenCounter`): its messages, each part as the provider
 * sends it (text as text, a tool call as its name and JSON input, a tool result as its JSON output), and its tools.
 */
import type { ModelMessage } from 'ai';
import type { CountedTool, TokenCounter } from '../tokens/token-counter.js';

function partText(part: unknown): string {
  if (typeof part !== 'object' || part === null) return '';
  const value = part as { type?: string; text?: string; toolName?: string; input?: unknown; output?: unknown };
  if (value.type === 'text' || value.type === 'reasoning') return value.text ?? '';
  if (value.type === 'tool-call') return `${value.toolName ?? ''} ${JSON.stringify(value.input ?? {})}`;
  if (value.type === 'tool-result') return JSON.stringify(value.output ?? null);
  return JSON.stringify(value);
}

/** The text a message carries, as the provider sends it. */
export function messageText(message: ModelMessage): string {
  const { content } = message;
  return typeof content === 'string' ? content : content.map(partText).join('\n');
}

/**
 * @example
 * promptTokens(tokenCounter('gpt-4o'), [{ role: 'user', content: 'Hi' }], []); // 9
 */
export function promptTokens(
  counter: TokenCounter,
  messages: readonly ModelMessage[],
  tools: readonly CountedTool[],
): number {
  let total = counter.requestOverhead + counter.tools(tools);
  for (const message of messages) total += counter.message({ role: message.role, content: messageText(message) });
  return total;
}
