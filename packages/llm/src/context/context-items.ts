/**
 * The items of a context as `assembleContext` works on them: the system prompt, each document (a system message of
 * its own, so counts add up), each message. Messages are grouped twice: into units that go or stay together (an
 * assistant message with tool calls and the tool messages holding their results) and into turns (a user message and
 * what follows it up to the next one). Units in the last user turn, pinned units and system messages are protected:
 * never dropped. The texts strategies may change (a document's text, a tool result's output) are its slots.
 */
import type { ModelMessage, ToolResultPart } from 'ai';
import type { TokenCounter } from '../tokens/token-counter.js';
import type { ContextDocument, ContextItemStatus, ProviderCaps } from './context-options.js';
import { messageTokens, toolOutputText } from './message-tokens.js';

/** A text of an item that strategies may change. */
export interface TextSlot {
  /** The tool-result part it is the output of, or -1 for a document's text. */
  part: number;
  text: string;
  /** A JSON value (`json` / `error-json` output): only truncation changes it, into text. */
  value: boolean;
  changed: boolean;
}

export interface ContextItem {
  kind: 'system' | 'document' | 'message';
  /** Index in `messages` or `documents`; -1 for the system prompt. */
  index: number;
  id?: string;
  message: ModelMessage;
  tokensBefore: number;
  tokens: number;
  pinned: boolean;
  /** Never dropped: the system prompt and system messages, pinned items, the last user turn. */
  protected: boolean;
  /** Drop order: lower groups go first; -1 never goes. */
  group: number;
  /** Texts that may change; none for protected-and-pinned items. */
  slots: TextSlot[];
  /** The item is in the last user turn (its slots are truncated last, and only when nothing else is left). */
  current: boolean;
  dropped: boolean;
  status: ContextItemStatus;
  reasons: string[];
}

export function documentMessage(id: string, text: string): ModelMessage {
  return { role: 'system', content: `<document id="${id}">\n${text}\n</document>` };
}

function toolSlots(message: ModelMessage): TextSlot[] {
  const slots: TextSlot[] = [];
  if (message.role !== 'tool') return slots;
  for (let part = 0; part < message.content.length; part++) {
    const content = message.content[part]!;
    if (content.type !== 'tool-result') continue;
    const { output } = content;
    if (output.type === 'text' || output.type === 'error-text') {
      slots.push({ part, text: output.value, value: false, changed: false });
    } else if (output.type === 'json' || output.type === 'error-json') {
      slots.push({ part, text: toolOutputText(output), value: true, changed: false });
    }
  }
  return slots;
}

function withOutputs(message: ModelMessage & { role: 'tool' }, slots: readonly TextSlot[]): ModelMessage {
  const content = message.content.map((part, index) => {
    const slot = slots.find((candidate) => candidate.part === index);
    if (!slot?.changed || part.type !== 'tool-result') return part;
    const error = part.output.type === 'error-text' || part.output.type === 'error-json';
    const output = { type: error ? 'error-text' : 'text', value: slot.text } as const;
    return { ...part, output } satisfies ToolResultPart;
  });
  return { ...message, content };
}

/** Sets a slot's text and recounts its item; returns how many tokens that saved. */
export function setSlot(item: ContextItem, slot: TextSlot, text: string, counter: TokenCounter): number {
  slot.text = text;
  slot.changed = true;
  if (item.kind === 'document') item.message = documentMessage(item.id!, text);
  else if (item.message.role === 'tool') item.message = withOutputs(item.message, item.slots);
  const before = item.tokens;
  item.tokens = messageTokens(counter, item.message);
  return before - item.tokens;
}

function newItem(
  counter: TokenCounter,
  fields: Pick<ContextItem, 'kind' | 'index' | 'message' | 'pinned' | 'protected' | 'group' | 'current'> & {
    id?: string;
  },
  slots: TextSlot[],
): ContextItem {
  const { kind, index, message, pinned, group, current } = fields;
  const tokens = messageTokens(counter, message);
  const fixed = pinned || kind === 'system' || (kind === 'message' && message.role === 'system');
  // Written out rather than spread: an assembly makes one per message, and a spread costs more than counting.
  const item: ContextItem = {
    kind,
    index,
    message,
    tokensBefore: tokens,
    tokens,
    pinned,
    protected: fields.protected,
    group,
    slots: fixed ? [] : slots,
    current,
    dropped: false,
    status: 'kept',
    reasons: [],
  };
  if (fields.id !== undefined) item.id = fields.id;
  return item;
}

/** Unions of messages that go or stay together: tool calls with their results. */
function unitsOf(messages: readonly ModelMessage[]): number[] {
  const parent = messages.map((_, index) => index);
  const root = (index: number): number => {
    while (parent[index] !== index) index = parent[index] = parent[parent[index]!]!;
    return index;
  };
  const caller = new Map<string, number>();
  messages.forEach((message, index) => {
    if (message.role === 'assistant' && typeof message.content !== 'string') {
      for (const part of message.content) if (part.type === 'tool-call') caller.set(part.toolCallId, index);
    }
    if (message.role !== 'tool') return;
    for (const part of message.content) {
      const from = 'toolCallId' in part ? caller.get(part.toolCallId) : undefined;
      if (from !== undefined) parent[root(index)] = root(from);
    }
  });
  return messages.map((_, index) => root(index));
}

function turnsOf(messages: readonly ModelMessage[]): number[] {
  let turn = 0;
  return messages.map((message, index) => {
    if (message.role === 'user' && index > 0) turn++;
    return turn;
  });
}

interface MessageGroups {
  /** Per message: its drop group (the turn its unit starts in), or -1 when protected. */
  group: number[];
  pinned: boolean[];
  current: boolean[];
  turns: number;
}

function groupMessages(messages: readonly ModelMessage[], pinnedIndexes: ReadonlySet<number>): MessageGroups {
  const units = unitsOf(messages);
  const turns = turnsOf(messages);
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  const current = messages.map((_, index) => lastUser !== -1 && index >= lastUser);
  // A unit is named by the index of one of its messages: arrays indexed by it, rather than maps, on this hot path.
  const unitPinned = new Uint8Array(messages.length);
  const unitCurrent = new Uint8Array(messages.length);
  const unitTurn = new Int32Array(messages.length).fill(-1);
  for (let index = 0; index < messages.length; index++) {
    const unit = units[index]!;
    if (pinnedIndexes.has(index) || messages[index]!.role === 'system') unitPinned[unit] = 1;
    if (current[index]) unitCurrent[unit] = 1;
    const turn = turns[index]!;
    if (unitTurn[unit] === -1 || turn < unitTurn[unit]!) unitTurn[unit] = turn;
  }
  return {
    group: units.map((unit) => (unitPinned[unit] === 1 || unitCurrent[unit] === 1 ? -1 : unitTurn[unit]!)),
    pinned: units.map((unit) => unitPinned[unit] === 1),
    current: units.map((unit) => unitCurrent[unit] === 1),
    turns: (turns.at(-1) ?? 0) + 1,
  };
}

/**
 * The items in the order they are sent: the system prompt, the documents, the messages.
 *
 * @example
 * const items = contextItems(tokenCounter('gpt-4o'), { system: 'Be brief.', messages, documents: [], pinned: [] });
 */
export function contextItems(
  counter: TokenCounter,
  input: {
    system?: string;
    messages: readonly ModelMessage[];
    documents: readonly ContextDocument[];
    pinned: readonly number[];
  },
): ContextItem[] {
  const groups = groupMessages(input.messages, new Set(input.pinned));
  const items: ContextItem[] = [];
  if (input.system !== undefined) {
    const message: ModelMessage = { role: 'system', content: input.system };
    items.push(
      newItem(
        counter,
        { kind: 'system', index: -1, message, pinned: true, protected: true, group: -1, current: false },
        [],
      ),
    );
  }
  input.documents.forEach((document, index) => {
    const pinned = document.pinned === true;
    const group = pinned ? -1 : groups.turns + input.documents.length - 1 - index;
    const message = documentMessage(document.id, document.text);
    const slots = [{ part: -1, text: document.text, value: false, changed: false }];
    items.push(
      newItem(
        counter,
        { kind: 'document', index, id: document.id, message, pinned, protected: pinned, group, current: false },
        slots,
      ),
    );
  });
  for (let index = 0; index < input.messages.length; index++) {
    const message = input.messages[index]!;
    const group = groups.group[index]!;
    const fields = {
      kind: 'message',
      index,
      message,
      pinned: groups.pinned[index]!,
      protected: group === -1,
      group,
      current: groups.current[index]!,
    } as const;
    items.push(newItem(counter, fields, toolSlots(message)));
  }
  return items;
}

/** The working set of one assembly: the items and the running totals every strategy keeps true. */
export interface ContextAssembly {
  counter: TokenCounter;
  items: ContextItem[];
  /** Tokens of the items not dropped, the tools and the request's overhead. */
  total: number;
  /** The tighter of the budget and `caps.maxInputTokens`. */
  limit: number;
  caps: ProviderCaps;
  /** Messages sent: the items not dropped (and a summary, once there is one). */
  messages: number;
}

export const overTokens = (assembly: ContextAssembly, reserve = 0) => assembly.total + reserve > assembly.limit;

export const overMessages = (assembly: ContextAssembly, extra = 0) =>
  assembly.caps.maxMessages !== undefined && assembly.messages + extra > assembly.caps.maxMessages;

/** Changes a slot's text and keeps the totals; `truncated` marks the item truncated, else compressed. */
export function changeSlot(
  assembly: ContextAssembly,
  item: ContextItem,
  slot: TextSlot,
  change: { text: string; reason: string; truncated?: boolean },
): void {
  assembly.total -= setSlot(item, slot, change.text, assembly.counter);
  if (change.truncated) item.status = 'truncated';
  else if (item.status === 'kept') item.status = 'compressed';
  if (!item.reasons.includes(change.reason)) item.reasons.push(change.reason);
}
