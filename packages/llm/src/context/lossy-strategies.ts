/**
 * The strategies that give up text: relevance compression of long documents and tool results, prose by sentences
 * and JSON by the items of its largest array (only while the context is over its token limit, the least likely to
 * stay first, the current turn's last), the provider's per-item caps, and truncation of the current turn's tool
 * results, the last resort once everything that may go has gone.
 */
import { type ContextAssembly, type ContextItem, changeSlot, overTokens, type TextSlot } from './context-items.js';
import { ContextOverflowError } from './context-overflow-error.js';
import { bySurvival } from './lossless-strategies.js';
import type { RelevanceCompressor } from './relevant-sentences.js';
import { truncateText } from './truncate-text.js';

const JOIN_MARGIN = 4;

export interface CompressionSettings {
  compressor: RelevanceCompressor;
  minTokens: number;
  keepRatio: number;
}

/** The texts relevance compression changed, as they were before it: a second cut starts again from them. */
export type CompressedTexts = Map<TextSlot, string>;

const CUT_REASON = 'cut to the sentences most relevant to the request';

/**
 * The first cut, spread over the texts: each one, the least likely to stay first, loses what the limit needs but
 * keeps at least `keepRatio` of its tokens (the next text is cut, or older turns are dropped, before it loses more).
 *
 * @example
 * const originals = await compressByRelevance(assembly, { compressor, minTokens: 200, keepRatio: 0.5 });
 */
export async function compressByRelevance(
  assembly: ContextAssembly,
  settings: CompressionSettings,
): Promise<CompressedTexts> {
  const { counter } = assembly;
  const originals: CompressedTexts = new Map();
  for (const item of bySurvival(assembly.items).reverse()) {
    for (const slot of item.slots) {
      if (!overTokens(assembly)) return originals;
      const tokens = counter.text(slot.text);
      if (tokens < settings.minTokens) continue;
      // Cut only what the limit needs (with a little room for how the text joins its frame), at most to keepRatio.
      const needed = tokens - (assembly.total - assembly.limit) - JOIN_MARGIN;
      const target = Math.max(Math.floor(tokens * settings.keepRatio), needed);
      const original = slot.text;
      const text = await settings.compressor.compress(slot.text, target);
      if (text === undefined) continue;
      originals.set(slot, original);
      changeSlot(assembly, item, slot, { text, reason: CUT_REASON });
    }
  }
  return originals;
}

/**
 * The second cut, once older turns are gone: the documents (the last given first) and what is left of older turns
 * are cut, from their text before the first cut, as far as the limit needs — down to their most relevant sentence —
 * so that a document is dropped only when not even that fits. `reserve` is room kept for a summary.
 *
 * @example
 * await compressToFit(assembly, settings, originals, 0); // a 1,288-token contract cut to its notice-period clause
 */
export async function compressToFit(
  assembly: ContextAssembly,
  settings: CompressionSettings,
  originals: CompressedTexts,
  reserve: number,
): Promise<void> {
  const { counter } = assembly;
  for (const item of bySurvival(assembly.items).reverse()) {
    if (item.dropped || item.current) continue;
    for (const slot of item.slots) {
      if (!overTokens(assembly, reserve)) return;
      const source = originals.get(slot) ?? slot.text;
      if (counter.text(source) < settings.minTokens) continue;
      const tokens = counter.text(slot.text);
      const needed = tokens - (assembly.total + reserve - assembly.limit) - JOIN_MARGIN;
      const text = await settings.compressor.compress(source, Math.max(needed, 0));
      if (text !== undefined && counter.text(text) < tokens)
        changeSlot(assembly, item, slot, { text, reason: CUT_REASON });
    }
  }
}

function capOf(assembly: ContextAssembly, item: ContextItem): number | undefined {
  return item.kind === 'document' ? assembly.caps.maxDocumentTokens : assembly.caps.maxToolResultTokens;
}

async function fitSlot(
  assembly: ContextAssembly,
  item: ContextItem,
  slot: TextSlot,
  cap: number,
  compressor: RelevanceCompressor | undefined,
): Promise<void> {
  const { counter } = assembly;
  const capName = item.kind === 'document' ? 'maxDocumentTokens' : 'maxToolResultTokens';
  const reason = `over the provider's ${capName} (${cap})`;
  const compressed = compressor ? await compressor.compress(slot.text, cap) : undefined;
  if (compressed !== undefined) changeSlot(assembly, item, slot, { text: compressed, reason: `compressed: ${reason}` });
  if (counter.text(slot.text) <= cap) return;
  changeSlot(assembly, item, slot, {
    text: truncateText(counter, slot.text, cap),
    reason: `truncated: ${reason}`,
    truncated: true,
  });
  const tokens = counter.text(slot.text);
  if (tokens > cap) {
    const label = item.kind === 'document' ? `document "${item.id}"` : `messages[${item.index}]`;
    throw new ContextOverflowError({ limit: capName, needed: tokens, available: cap, unit: 'tokens', item: label });
  }
}

/**
 * Brings every document and tool result within the provider's per-item caps: compressed toward the request, then
 * truncated. Pinned items were checked before (`checkMinimum`): they have no slots.
 *
 * @example
 * await enforceItemCaps(assembly, compressor); // a 40,000-token tool result with maxToolResultTokens 25,000 is cut
 */
export async function enforceItemCaps(assembly: ContextAssembly, compressor?: RelevanceCompressor): Promise<void> {
  for (const item of assembly.items) {
    const cap = capOf(assembly, item);
    if (cap === undefined) continue;
    for (const slot of item.slots) {
      if (assembly.counter.text(slot.text) > cap) await fitSlot(assembly, item, slot, cap, compressor);
    }
  }
}

/**
 * The last resort: the current turn's tool results (largest first) cut at a token boundary until the context fits.
 *
 * @example
 * truncateCurrentTurn(assembly); // the last tool result keeps its head and a `[… truncated: …]` marker
 */
export function truncateCurrentTurn(assembly: ContextAssembly): void {
  const { counter } = assembly;
  const slots = assembly.items
    .filter((item) => item.current && !item.dropped)
    .flatMap((item) => item.slots.map((slot) => ({ item, slot, tokens: counter.text(slot.text) })))
    .sort((a, b) => b.tokens - a.tokens);
  for (const target of [undefined, 0]) {
    for (const { item, slot } of slots) {
      if (!overTokens(assembly)) return;
      const excess = assembly.total - assembly.limit;
      const text = truncateText(counter, slot.text, target ?? Math.max(0, counter.text(slot.text) - excess));
      if (text !== slot.text) {
        changeSlot(assembly, item, slot, {
          text,
          reason: `truncated to fit ${assembly.limit} tokens`,
          truncated: true,
        });
      }
    }
  }
}
