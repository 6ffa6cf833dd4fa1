/**
 * Dropping what may go, in order, until the context fits its token limit and the provider's message cap: the oldest
 * turns first (a turn whole, tool calls with their results; its pinned units stay), then the documents that are not
 * pinned, the last given first. With a summariser, room for the summary is kept as soon as one turn goes.
 */
import { type ContextAssembly, type ContextItem, overMessages, overTokens } from './context-items.js';

export interface DropOptions {
  /** Tokens to keep free for a summary once a message has been dropped (0 without a summariser). */
  summaryReserve: number;
  /** Documents may go too, once every older turn has. @default true */
  documents?: boolean;
}

function dropReason(item: ContextItem, limit: string): string {
  const what = item.kind === 'document' ? 'document' : 'older turn';
  const cut = item.status === 'compressed' || item.status === 'truncated';
  return `${what} dropped to fit ${limit}${cut ? `: even cut to its most relevant parts it took ${item.tokens} tokens` : ''}`;
}

function dropGroup(assembly: ContextAssembly, items: readonly ContextItem[], limit: string): void {
  for (const item of items) {
    // What an earlier strategy did to it no longer matters: the manifest says why it went.
    item.reasons = [dropReason(item, limit)];
    item.dropped = true;
    item.status = 'dropped';
    assembly.total -= item.tokens;
    assembly.messages -= 1;
  }
}

function groupsInOrder(items: readonly ContextItem[], documents: boolean): ContextItem[][] {
  // Groups are small whole numbers (turns, then documents): indexed by them, they come out in order.
  const groups: ContextItem[][] = [];
  for (const item of items) {
    if (item.group === -1 || item.dropped || (!documents && item.kind === 'document')) continue;
    const group = groups[item.group];
    if (group === undefined) groups[item.group] = [item];
    else group.push(item);
  }
  return groups.filter((group) => group !== undefined);
}

/** Whether a message has gone, so room for a summary is kept from now on. */
export const messagesDropped = (assembly: ContextAssembly) =>
  assembly.items.some((item) => item.dropped && item.kind === 'message');

/**
 * Drops groups until the context fits (with room for a summary); returns the messages dropped, in their order.
 *
 * @example
 * const dropped = dropOldest(assembly, { summaryReserve: 0 });
 */
export function dropOldest(assembly: ContextAssembly, options: DropOptions): ContextItem[] {
  const dropped: ContextItem[] = [];
  let anyDropped = messagesDropped(assembly);
  const reserve = () => (anyDropped ? options.summaryReserve : 0);
  const extraMessage = () => (anyDropped && options.summaryReserve > 0 ? 1 : 0);
  const caps = assembly.caps.maxMessages === undefined ? '' : ` and ${assembly.caps.maxMessages} messages`;
  const limit = `${assembly.limit} tokens${caps}`;
  for (const group of groupsInOrder(assembly.items, options.documents !== false)) {
    if (!overTokens(assembly, reserve()) && !overMessages(assembly, extraMessage())) break;
    dropGroup(assembly, group, limit);
    const messages = group.filter((item) => item.kind === 'message');
    dropped.push(...messages);
    if (messages.length > 0) anyDropped = true;
  }
  return dropped.sort((a, b) => a.index - b.index);
}
