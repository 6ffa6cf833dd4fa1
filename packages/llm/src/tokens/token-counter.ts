/**
 * Counts tokens as a model receives them. OpenAI-family models are counted exactly with `gpt-tokenizer`, by the
 * model's encoding (`o200k_base` for GPT-4o, GPT-4.1, GPT-5 and the o-series; `cl100k_base` for GPT-4 and GPT-3.5),
 * with OpenAI's per-message overhead (3 tokens, 1 more for a name) and the 3 tokens that prime the reply. Tool
 * definitions are counted in the TypeScript-like form the model is shown (`namespace functions { … }`); a schema that
 * form cannot render (`anyOf`, `oneOf`, `allOf`, `$ref`, `not`, a list of types) counts at least as its JSON text, and
 * for estimated models the JSON text is always the floor (their providers send the schema itself).
 *
 * Any other model (Claude, Llama, Mistral, Gemini…) gets a conservative estimate: the `o200k_base` count times
 * `estimateFactor` (default 1.5), rounded up, with 5 tokens per message. Tokenizers with smaller vocabularies spend
 * up to about 1.4× as many tokens on English prose as `o200k_base`; the margin keeps a budget safe, at the price of
 * using a little less of it.
 */
import { createRequire } from 'node:module';
import type { ChatCompletionFunctionDefinition } from 'gpt-tokenizer/functionCalling';
import { formatFunctionDefinitions } from 'gpt-tokenizer/functionCalling';
import { type EncodingName, modelToEncodingMap } from 'gpt-tokenizer/mapping';

export interface CountedMessage {
  role: string;
  content: string;
  name?: string;
}

/** A tool as a model is shown it: name, description, JSON Schema of its parameters. */
export interface CountedTool {
  name: string;
  description?: string;
  parameters?: unknown;
}

export interface TokenCounter {
  readonly model: string;
  /** The encoding used to count; `undefined` when the count is an estimate. */
  readonly encoding: EncodingName | undefined;
  /** True when counts are the model's own (OpenAI family), false for the conservative estimate. */
  readonly exact: boolean;
  text(text: string): number;
  /** One message with its framing overhead. */
  message(message: CountedMessage): number;
  /** The definitions of these tools as one request carries them; 0 for none. */
  tools(tools: readonly CountedTool[]): number;
  /** Tokens a request adds once, whatever its messages (the reply's priming). */
  readonly requestOverhead: number;
}

export interface TokenCounterOptions {
  /** Multiplier over the `o200k_base` count for models outside the OpenAI family. @default 1.5 */
  estimateFactor?: number;
}

const MESSAGE_OVERHEAD = 3;
const NAME_OVERHEAD = 1;
const REQUEST_OVERHEAD = 3;
const TOOLS_OVERHEAD = 9;
const ESTIMATED_MESSAGE_OVERHEAD = 5;
const DEFAULT_ESTIMATE_FACTOR = 1.5;

interface EncodingApi {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
}

/**
 * Text that spells a special token (`<|endoftext|>`) is counted as the plain text it is: providers encode what users
 * send that way, and gpt-tokenizer would otherwise throw on it.
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const require = createRequire(import.meta.url);
const encodings = new Map<EncodingName, EncodingApi>();

/** Loads an encoding on first use: each holds a few megabytes of merge ranks. */
function encodingApi(name: EncodingName): EncodingApi {
  let api = encodings.get(name);
  if (!api) {
    api = require(`gpt-tokenizer/encoding/${name}`) as EncodingApi;
    encodings.set(name, api);
  }
  return api;
}

/** Schema keywords the `namespace functions` form shows as `any`, dropping what they hold. */
const UNRENDERED = /"(anyOf|oneOf|allOf|\$ref|not)":|"type":\[/;

const OPENAI_NAME = /^(gpt-|chatgpt-|o\d|text-embedding-|davinci|babbage|codex-)/;

/** The encoding of an OpenAI-family model name (`gpt-4o`, `openai/gpt-4.1-mini`, `openai:o3`), else `undefined`. */
export function encodingOf(model: string): EncodingName | undefined {
  const name = model.replace(/^openai[/:]/, '').toLowerCase();
  const mapped = (modelToEncodingMap as Record<string, EncodingName>)[name];
  if (mapped) return mapped;
  return OPENAI_NAME.test(name) ? 'o200k_base' : undefined;
}

/**
 * @example
 * const counter = tokenCounter('gpt-4o');
 * counter.message({ role: 'user', content: 'Hello there' }); // 5
 */
export function tokenCounter(model: string, options: TokenCounterOptions = {}): TokenCounter {
  const factor = options.estimateFactor ?? DEFAULT_ESTIMATE_FACTOR;
  if (!(Number.isFinite(factor) && factor >= 1)) {
    throw new RangeError(`estimateFactor must be a number ≥ 1, got ${String(factor)}`);
  }
  const encoding = encodingOf(model);
  const api = encodingApi(encoding ?? 'o200k_base');
  const exact = encoding !== undefined;
  const text = exact
    ? (value: string) => (value ? api.countTokens(value, PLAIN_TEXT) : 0)
    : (value: string) => (value ? Math.ceil(api.countTokens(value, PLAIN_TEXT) * factor) : 0);
  const perMessage = exact ? MESSAGE_OVERHEAD : ESTIMATED_MESSAGE_OVERHEAD;
  return {
    model,
    encoding,
    exact,
    text,
    message(message) {
      let tokens = perMessage + text(message.role) + text(message.content);
      if (message.name) tokens += text(message.name) + NAME_OVERHEAD;
      return tokens;
    },
    tools(tools) {
      if (tools.length === 0) return 0;
      const definitions = tools.map(
        (tool) =>
          ({
            name: tool.name,
            description: tool.description,
            parameters: tool.parameters,
          }) as ChatCompletionFunctionDefinition,
      );
      const formatted = text(formatFunctionDefinitions(definitions)) + TOOLS_OVERHEAD;
      const json = JSON.stringify(definitions);
      if (exact && !UNRENDERED.test(json)) return formatted;
      return Math.max(formatted, text(json) + TOOLS_OVERHEAD);
    },
    requestOverhead: REQUEST_OVERHEAD,
  };
}
