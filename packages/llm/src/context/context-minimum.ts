/**
 * What a context needs at the least: the protected items (system prompt and messages, pinned items, the last user
 * turn) with the current turn's tool results cut to their truncation marker, the tools and the request's overhead.
 * When that is over a limit, or a pinned item is over a per-item cap, nothing `assembleContext` may do would make
 * the context fit, and it says so with a `ContextOverflowError`.
 */
import type { TokenCounter } from '../tokens/token-counter.js';
import { type ContextItem, setSlot } from './context-items.js';
import type { ProviderCaps } from './context-options.js';
import { type ContextLimit, ContextOverflowError } from './context-overflow-error.js';
import { toolOutputText } from './message-tokens.js';
import { truncationFloor } from './truncate-text.js';

export interface ContextLimits {
  tokens: number;
  /** Which limit `tokens` comes from. */
  tokensLimit: Extract<ContextLimit, 'budget' | 'maxInputTokens'>;
  caps: ProviderCaps;
}

/** Tokens of an item with every slot at its truncation floor. */
export function floorTokens(counter: TokenCounter, item: ContextItem): number {
  if (item.slots.length === 0) return item.tokens;
  const copy: ContextItem = { ...item, slots: item.slots.map((slot) => ({ ...slot })) };
  for (const slot of copy.slots) setSlot(copy, slot, truncationFloor(counter, slot.text), counter);
  return Math.min(copy.tokens, item.tokens);
}

function pinnedTexts(
  item: ContextItem,
): { text: string; cap: 'maxDocumentTokens' | 'maxToolResultTokens'; label: string }[] {
  if (item.kind === 'document')
    return [{ text: documentText(item), cap: 'maxDocumentTokens', label: `document "${item.id}"` }];
  if (item.message.role !== 'tool') return [];
  return item.message.content.flatMap((part) =>
    part.type === 'tool-result'
      ? [{ text: toolOutputText(part.output), cap: 'maxToolResultTokens' as const, label: `messages[${item.index}]` }]
      : [],
  );
}

function documentText(item: ContextItem): string {
  const content = item.message.content as string;
  return content.slice(content.indexOf('\n') + 1, content.lastIndexOf('\n'));
}

function checkPinnedCaps(counter: TokenCounter, items: readonly ContextItem[], caps: ProviderCaps): void {
  for (const item of items) {
    if (!item.pinned) continue;
    for (const { text, cap, label } of pinnedTexts(item)) {
      const limit = caps[cap];
      const tokens = limit === undefined ? 0 : counter.text(text);
      if (limit !== undefined && tokens > limit) {
        throw new ContextOverflowError({
          limit: cap,
          needed: tokens,
          available: limit,
          unit: 'tokens',
          item: `pinned ${label}`,
        });
      }
    }
  }
}

/**
 * Throws a `ContextOverflowError` when the items that must be sent cannot fit.
 *
 * @example
 * checkMinimum(counter, items, toolTokens, { tokens: 4000, tokensLimit: 'budget', caps: {} });
 */
export function checkMinimum(
  counter: TokenCounter,
  items: readonly ContextItem[],
  fixedTokens: number,
  limits: ContextLimits,
): void {
  checkPinnedCaps(counter, items, limits.caps);
  const kept = items.filter((item) => item.protected);
  const needed = kept.reduce((sum, item) => sum + floorTokens(counter, item), fixedTokens);
  if (needed > limits.tokens) {
    throw new ContextOverflowError({ limit: limits.tokensLimit, needed, available: limits.tokens, unit: 'tokens' });
  }
  const maxMessages = limits.caps.maxMessages;
  if (maxMessages !== undefined && kept.length > maxMessages) {
    throw new ContextOverflowError({
      limit: 'maxMessages',
      needed: kept.length,
      available: maxMessages,
      unit: 'messages',
    });
  }
}
