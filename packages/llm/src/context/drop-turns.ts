/**
 * Dropping what may go, in order, until the context fits its token limit and the provider's message cap: the oldest
 * turns first (a turn whole, tool calls with their results; its pinned units stay), then the documents that are not
 * pinned, the last given first. With a summariser, room for the summary is kept as soon as one turn goes.
 */
import { type ContextAssembly, type ContextItem, overMessages, overTokens } from './context-items.js';

export interface DropOptions {
  /** Tokens to keep free for a summary once a message has been dropped (0 without a summariser). */
  summaryReserve: number;
}

function dropGroup(assembly: ContextAssembly, items: readonly ContextItem[], reason: string): void {
  for (const item of items) {
    item.dropped = true;
    item.status = 'dropped';
    assembly.total -= item.tokens;
    assembly.messages -= 1;
    item.reasons.push(`${item.kind === 'document' ? 'document' : 'older turn'} ${reason}`);
  }
}

function groupsInOrder(items: readonly ContextItem[]): ContextItem[][] {
  const groups = new Map<number, ContextItem[]>();
  for (const item of items) {
    if (item.group === -1 || item.dropped) continue;
    const group = groups.get(item.group) ?? [];
    group.push(item);
    groups.set(item.group, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/**
 * Drops groups until the context fits (with room for a summary); returns the messages dropped, in their order.
 *
 * @example
 * const dropped = dropOldest(assembly, { summaryReserve: 0 });
 */
export function dropOldest(assembly: ContextAssembly, options: DropOptions): ContextItem[] {
  const dropped: ContextItem[] = [];
  const reserve = () => (dropped.length > 0 ? options.summaryReserve : 0);
  const extraMessage = () => (dropped.length > 0 && options.summaryReserve > 0 ? 1 : 0);
  const caps = assembly.caps.maxMessages === undefined ? '' : ` and ${assembly.caps.maxMessages} messages`;
  const reason = `dropped to fit ${assembly.limit} tokens${caps}`;
  for (const group of groupsInOrder(assembly.items)) {
    if (!overTokens(assembly, reserve()) && !overMessages(assembly, extraMessage())) break;
    dropGroup(assembly, group, reason);
    dropped.push(...group.filter((item) => item.kind === 'message'));
  }
  return dropped.sort((a, b) => a.index - b.index);
}
