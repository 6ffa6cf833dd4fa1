/** What must be sent does not fit: the items `assembleContext` may not drop are over a limit. */
import { BatonError } from '@baton/core';

/** Which limit was passed: the budget, or one of the provider's caps (`ProviderCaps`). */
export type ContextLimit = 'budget' | 'maxInputTokens' | 'maxMessages' | 'maxDocumentTokens' | 'maxToolResultTokens';

export interface ContextOverflowDetails {
  limit: ContextLimit;
  /** What the items that cannot be dropped need, in `unit`s. */
  needed: number;
  /** What the limit allows, in `unit`s. */
  available: number;
  unit: 'tokens' | 'messages';
  /** The single item over a per-item cap (`document "faq"`, `messages[4]`), when that is the problem. */
  item?: string;
}

export class ContextOverflowError extends BatonError {
  readonly limit: ContextLimit;
  readonly needed: number;
  readonly available: number;
  /** `needed - available`: how much must go before the context fits. */
  readonly shortfall: number;
  readonly unit: 'tokens' | 'messages';
  readonly item: string | undefined;

  constructor(details: ContextOverflowDetails) {
    const what = details.item ?? 'the system prompt, pinned items, the last user turn and the tools';
    super(
      'context-overflow',
      `${what} need ${details.needed} ${details.unit} but ${details.limit} allows ${details.available}: ` +
        `${details.needed - details.available} ${details.unit} short; unpin items, send fewer tools or raise the limit`,
    );
    this.name = 'ContextOverflowError';
    this.limit = details.limit;
    this.needed = details.needed;
    this.available = details.available;
    this.shortfall = details.needed - details.available;
    this.unit = details.unit;
    this.item = details.item;
  }

  static override isInstance(error: unknown): error is ContextOverflowError {
    return BatonError.isInstance(error) && error.code === 'context-overflow';
  }

  override toJSON(): Record<string, unknown> {
    const { limit, needed, available, shortfall, unit, item } = this;
    return { ...super.toJSON(), limit, needed, available, shortfall, unit, item };
  }
}
