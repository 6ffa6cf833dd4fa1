/**
 * The strategies that lose nothing the model needs, run on every assembly: JSON texts without whitespace, and
 * sentences already said elsewhere in the context left out. Only the texts of documents and tool results change
 * (never a pinned item, a system message, nor what the user or the assistant wrote); a repeated sentence is kept in
 * the item most likely to stay (protected items first, then documents in the order given, then the newest turns).
 */
import type { ModelMessage } from 'ai';
import { type ContextAssembly, type ContextItem, changeSlot } from './context-items.js';
import { toolOutputText } from './message-tokens.js';
import { isJsonText, minifyJson } from './minify-json.js';
import { noteSentences, type SeenSentences, withoutRepeatedSentences } from './repeated-sentences.js';

/**
 * @example
 * minifyJsonTexts(assembly); // a tool result '{\n  "tempC": 21\n}' becomes '{"tempC":21}'
 */
export function minifyJsonTexts(assembly: ContextAssembly): void {
  for (const item of assembly.items) {
    for (const slot of item.slots) {
      const minified = slot.value ? undefined : minifyJson(slot.text);
      if (minified !== undefined) changeSlot(assembly, item, slot, { text: minified, reason: 'JSON minified' });
    }
  }
}

/**
 * Items from the most likely to stay to the least: protected, documents as given, then turns newest first; among
 * equals, those sent as they are come before those whose texts may change.
 */
export function bySurvival(items: readonly ContextItem[]): ContextItem[] {
  const rank = (item: ContextItem) => (item.group === -1 ? Number.POSITIVE_INFINITY : item.group);
  const changeable = (item: ContextItem) => (item.slots.length > 0 ? 1 : 0);
  return items
    .map((item, position) => ({ item, position }))
    .sort((a, b) => rank(b.item) - rank(a.item) || changeable(a.item) - changeable(b.item) || b.position - a.position)
    .map(({ item }) => item);
}

function textsOf(message: ModelMessage): string[] {
  if (typeof message.content === 'string') return [message.content];
  return message.content.flatMap((part) => {
    if (part.type === 'text' || part.type === 'reasoning') return [part.text];
    if (part.type === 'tool-result') return [toolOutputText(part.output)];
    return [];
  });
}

function removeFrom(assembly: ContextAssembly, item: ContextItem, seen: SeenSentences): void {
  for (const slot of item.slots) {
    if (slot.value || isJsonText(slot.text)) continue;
    const text = withoutRepeatedSentences(slot.text, seen);
    if (text !== undefined) changeSlot(assembly, item, slot, { text, reason: 'repeated sentences removed' });
  }
}

/**
 * @example
 * removeRepeatedSentences(assembly); // a document's paragraph quoted again in a tool result is left out of the result
 */
export function removeRepeatedSentences(assembly: ContextAssembly): void {
  const seen: SeenSentences = new Set();
  for (const item of bySurvival(assembly.items)) {
    if (item.slots.length > 0) removeFrom(assembly, item, seen);
    else for (const text of textsOf(item.message)) noteSentences(text, seen);
  }
}
