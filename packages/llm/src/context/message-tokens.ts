/**
 * Token counts of AI SDK v6 messages, as `assembleContext` budgets them. A request counts the reply's priming once,
 * every message with its framing, and the tool definitions: `countContext` is that sum, so the count of an assembled
 * context is exactly what a recount of its messages and tools gives.
 *
 * Text, reasoning and tool results are counted by the model's tokenizer (`tokenCounter`). How OpenAI frames tool
 * calls and results inside a conversation is not published: a tool call is counted as its name and JSON arguments
 * plus `TOOL_CALL_OVERHEAD`, and each tool result as a message of its own named by the call id (the way the Chat
 * Completions API carries it). An image or file part counts `MEDIA_PART_TOKENS`, above what OpenAI (1,105 for a
 * high-detail 2048×768 image) and Anthropic (about 1,600 for an image at its size limit) charge.
 */
import type { ModelMessage, ToolResultPart } from 'ai';

type ToolResultOutput = ToolResultPart['output'];

import type { CountedTool, TokenCounter } from '../tokens/token-counter.js';

export const MEDIA_PART_TOKENS = 1_600;
export const TOOL_CALL_OVERHEAD = 3;

/** The text a tool result carries to the model; media entries count apart (`mediaPartsOf`). */
export function toolOutputText(output: ToolResultOutput): string {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value) ?? 'null';
    case 'execution-denied':
      return output.reason ?? 'Tool execution denied.';
    case 'content':
      return output.value.map((entry) => (entry.type === 'text' ? entry.text : '')).join('');
  }
}

function mediaPartsOf(output: ToolResultOutput): number {
  return output.type === 'content' ? output.value.filter((entry) => entry.type !== 'text').length : 0;
}

/** Tokens of one tool result: a message of its own, named by its call id. */
export function toolResultTokens(counter: TokenCounter, part: ToolResultPart): number {
  const content = toolOutputText(part.output);
  return (
    counter.message({ role: 'tool', content, name: part.toolCallId }) + mediaPartsOf(part.output) * MEDIA_PART_TOKENS
  );
}

function userOrAssistantTokens(counter: TokenCounter, message: ModelMessage & { role: 'user' | 'assistant' }): number {
  if (typeof message.content === 'string') return counter.message({ role: message.role, content: message.content });
  const texts: string[] = [];
  let extra = 0;
  for (const part of message.content) {
    if (part.type === 'text' || part.type === 'reasoning') texts.push(part.text);
    else if (part.type === 'image' || part.type === 'file') extra += MEDIA_PART_TOKENS;
    else if (part.type === 'tool-call') {
      extra += counter.text(part.toolName) + counter.text(JSON.stringify(part.input) ?? '') + TOOL_CALL_OVERHEAD;
    } else if (part.type === 'tool-result') extra += toolResultTokens(counter, part);
  }
  return counter.message({ role: message.role, content: texts.join('\n') }) + extra;
}

/**
 * Tokens of one message with its framing.
 *
 * @example
 * messageTokens(tokenCounter('gpt-4o'), { role: 'user', content: 'Hello there' }); // 5
 */
export function messageTokens(counter: TokenCounter, message: ModelMessage): number {
  switch (message.role) {
    case 'system':
      return counter.message({ role: 'system', content: message.content });
    case 'user':
    case 'assistant':
      return userOrAssistantTokens(counter, message);
    case 'tool':
      return message.content.reduce(
        (sum, part) => sum + (part.type === 'tool-result' ? toolResultTokens(counter, part) : TOOL_CALL_OVERHEAD),
        0,
      );
  }
}

/**
 * Tokens of a whole request: the reply's priming, every message, the tool definitions.
 *
 * @example
 * const counter = tokenCounter('gpt-4o');
 * countContext(counter, [{ role: 'user', content: 'Hi' }], []); // 3 + 4
 */
export function countContext(
  counter: TokenCounter,
  messages: readonly ModelMessage[],
  tools: readonly CountedTool[] = [],
): number {
  let total = counter.requestOverhead + counter.tools(tools);
  for (const message of messages) total += messageTokens(counter, message);
  return total;
}
