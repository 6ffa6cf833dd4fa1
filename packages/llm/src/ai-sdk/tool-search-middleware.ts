/**
 * `enhance()`'s `toolSearch`: a middleware that sends a model only the tools that fit the request. When a call offers
 * more function tools than `k`, the `k` most relevant to the last user message are kept (`createToolSearch`), the
 * tool `toolChoice` names is kept besides them, provider-defined tools are left alone. The search over one tool set is
 * built once and reused by the calls that offer the same tools (an agent's every step).
 */
import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Middleware,
  LanguageModelV3Prompt,
} from '@ai-sdk/provider';
import type { ToolSearchConfig } from '../config/enhance-config.js';
import { createToolSearch, type ToolSearch } from '../tools/tool-search.js';

const KEPT_SEARCHES = 16;

/** The text of the last user message, or undefined when there is none. */
export function lastUserText(prompt: LanguageModelV3Prompt): string | undefined {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i]!;
    if (message.role !== 'user') continue;
    const text = message.content
      .flatMap((part) => (part.type === 'text' ? [part.text] : []))
      .join('\n')
      .trim();
    return text === '' ? undefined : text;
  }
  return undefined;
}

const isFunctionTool = (tool: unknown): tool is LanguageModelV3FunctionTool =>
  (tool as { type?: string }).type === 'function';

const toolSetKey = (tools: readonly LanguageModelV3FunctionTool[]) =>
  JSON.stringify(tools.map((tool) => [tool.name, tool.description ?? '', tool.inputSchema]));

/** Searches by tool set, the least recently used forgotten past `KEPT_SEARCHES`. */
class ToolSearches {
  readonly #searches = new Map<string, Promise<ToolSearch>>();

  for(tools: readonly LanguageModelV3FunctionTool[]): Promise<ToolSearch> {
    const key = toolSetKey(tools);
    let search = this.#searches.get(key);
    if (search) {
      this.#searches.delete(key);
    } else {
      search = createToolSearch(
        tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.inputSchema })),
      );
      search.catch(() => this.#searches.delete(key));
    }
    this.#searches.set(key, search);
    if (this.#searches.size > KEPT_SEARCHES) this.#searches.delete(this.#searches.keys().next().value!);
    return search;
  }
}

async function selectTools(
  params: LanguageModelV3CallOptions,
  config: ToolSearchConfig,
  searches: ToolSearches,
): Promise<LanguageModelV3CallOptions> {
  const functions = (params.tools ?? []).filter(isFunctionTool);
  const request = lastUserText(params.prompt);
  if (functions.length <= config.k || request === undefined || params.toolChoice?.type === 'none') return params;
  const search = await searches.for(functions);
  const hits = await search.search(request, { k: config.k, minScore: config.minScore });
  const kept = new Set(hits.map((hit) => hit.name));
  if (params.toolChoice?.type === 'tool') kept.add(params.toolChoice.toolName);
  const tools = params.tools!.filter((tool) => !isFunctionTool(tool) || kept.has(tool.name));
  return { ...params, tools };
}

/**
 * @example
 * const model = wrapLanguageModel({ model: base, middleware: toolSearchMiddleware({ k: 5 }) });
 */
export function toolSearchMiddleware(config: ToolSearchConfig): LanguageModelV3Middleware {
  const searches = new ToolSearches();
  return {
    specificationVersion: 'v3',
    transformParams: ({ params }) => selectTools(params, config, searches),
  };
}
