/**
 * A summary of the turns a context had to drop, written by a model (AI SDK `generateText`) and sent as one system
 * message after the system prompt and documents. Room for it is kept before it is asked for (`summaryReserve`), and a
 * summary longer than that room (a model that ignores `maxOutputTokens`, or an estimated count) is truncated to it.
 */
import { generateText, type LanguageModel, type LanguageModelUsage, type ModelMessage } from 'ai';
import type { TokenCounter } from '../tokens/token-counter.js';
import { messageTokens, toolOutputText } from './message-tokens.js';
import { truncateText } from './truncate-text.js';

export const SUMMARY_PREFIX = 'Summary of the earlier conversation:\n';

const SUMMARY_INSTRUCTIONS =
  'Summarise this conversation for the assistant that continues it. Keep every fact, number, name, decision and ' +
  'open question it may need; leave out greetings and repetition. Answer with the summary only.';

/** Tokens a summary of at most `maxTokens` takes as a message. */
export function summaryReserve(counter: TokenCounter, maxTokens: number): number {
  return messageTokens(counter, { role: 'system', content: SUMMARY_PREFIX }) + maxTokens;
}

function partText(part: Exclude<ModelMessage['content'], string>[number]): string {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text;
    case 'tool-call':
      return `called ${part.toolName}(${JSON.stringify(part.input)})`;
    case 'tool-result':
      return `${part.toolName} returned: ${toolOutputText(part.output)}`;
    default:
      return `[${part.type}]`;
  }
}

/** The messages as a transcript a model reads: one `role: text` line each. */
export function transcriptOf(messages: readonly ModelMessage[]): string {
  return messages
    .map((message) => {
      const text =
        typeof message.content === 'string'
          ? message.content
          : message.content.map((part) => partText(part)).join('\n');
      return `${message.role}: ${text}`;
    })
    .join('\n\n');
}

export interface TurnSummary {
  message: ModelMessage;
  text: string;
  usage: LanguageModelUsage;
}

/**
 * @example
 * const summary = await summariseTurns({ model, maxTokens: 300, counter, messages: droppedMessages });
 * summary.message; // { role: 'system', content: 'Summary of the earlier conversation:\n…' }
 */
export async function summariseTurns(options: {
  model: LanguageModel;
  maxTokens: number;
  counter: TokenCounter;
  messages: readonly ModelMessage[];
  abortSignal?: AbortSignal;
}): Promise<TurnSummary> {
  const { counter, maxTokens } = options;
  const result = await generateText({
    model: options.model,
    system: SUMMARY_INSTRUCTIONS,
    prompt: transcriptOf(options.messages),
    maxOutputTokens: maxTokens,
    abortSignal: options.abortSignal,
  });
  const room = summaryReserve(counter, maxTokens) - messageTokens(counter, { role: 'system', content: SUMMARY_PREFIX });
  const text = truncateText(counter, result.text.trim(), room);
  let message: ModelMessage = { role: 'system', content: `${SUMMARY_PREFIX}${text}` };
  // The prefix and the text may merge into fewer or more tokens than counted apart: cut until the message fits.
  for (let cut = room - 1; messageTokens(counter, message) > summaryReserve(counter, maxTokens) && cut >= 0; cut--) {
    message = { role: 'system', content: `${SUMMARY_PREFIX}${truncateText(counter, text, cut)}` };
  }
  return { message, text: (message.content as string).slice(SUMMARY_PREFIX.length), usage: result.usage };
}
