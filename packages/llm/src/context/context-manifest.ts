/** The manifest of an assembly: every input item with its tokens before and after, what became of it and why. */
import type { ContextItem } from './context-items.js';
import type { ContextManifestItem } from './context-options.js';

function keptReason(item: ContextItem): string {
  if (item.kind === 'system') return 'system prompt: always sent whole';
  if (item.message.role === 'system' && item.kind === 'message') return 'system message: always sent whole';
  if (item.pinned) return 'pinned';
  if (item.current) return 'last user turn';
  return 'fits';
}

function entryOf(item: ContextItem): ContextManifestItem {
  const entry: ContextManifestItem = {
    kind: item.kind,
    role: item.message.role,
    pinned: item.pinned,
    tokensBefore: item.tokensBefore,
    tokensAfter: item.dropped ? 0 : item.tokens,
    status: item.status,
    reason: item.reasons.length > 0 ? item.reasons.join('; ') : keptReason(item),
  };
  if (item.kind !== 'system') entry.index = item.index;
  if (item.id !== undefined) entry.id = item.id;
  return entry;
}

/**
 * @example
 * manifestOf(items, { count: 3, tokens: 120 }); // [{ kind: 'system', status: 'kept', … }, …, { kind: 'tools', … }]
 */
export function manifestOf(
  items: readonly ContextItem[],
  tools: { count: number; tokens: number },
  summary?: { tokens: number; messages: number },
): ContextManifestItem[] {
  const manifest = items.map(entryOf);
  if (tools.count > 0) {
    manifest.push({
      kind: 'tools',
      pinned: true,
      tokensBefore: tools.tokens,
      tokensAfter: tools.tokens,
      status: 'kept',
      reason: `${tools.count} tool definition${tools.count === 1 ? '' : 's'}: always sent`,
    });
  }
  if (summary) {
    manifest.push({
      kind: 'summary',
      role: 'system',
      pinned: false,
      tokensBefore: 0,
      tokensAfter: summary.tokens,
      status: 'kept',
      reason: `summary of ${summary.messages} dropped message${summary.messages === 1 ? '' : 's'}`,
    });
  }
  return manifest;
}
