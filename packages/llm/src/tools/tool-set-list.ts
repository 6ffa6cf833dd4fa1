/**
 * The AI SDK's shape of tools — a `ToolSet` record, `{ weather: tool({ description, inputSchema }) }` — as the list
 * Baton's tool functions take: `{ name, description, parameters }`, the input schema as JSON Schema (zod or
 * `jsonSchema()` alike). A list is taken as it is; anything else is left for the caller's check to name.
 */
import { asSchema, type ToolSet } from 'ai';

export interface ListedTool {
  name: string;
  description?: string;
  parameters?: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** A record of AI SDK tools: each one a function tool (with its `inputSchema`) or a provider's tool. */
const isToolSet = (tools: unknown): tools is ToolSet =>
  isPlainObject(tools) &&
  Object.values(tools).every((tool) => isPlainObject(tool) && ('inputSchema' in tool || tool.type === 'provider'));

/**
 * @example
 * await toolsAsList({ weather: tool({ description: 'Forecast', inputSchema: z.object({ city: z.string() }) }) });
 * // [{ name: 'weather', description: 'Forecast', parameters: { type: 'object', properties: { city: … }, … } }]
 */
export async function toolsAsList<T>(tools: readonly T[] | ToolSet): Promise<readonly (T | ListedTool)[]> {
  if (!isToolSet(tools)) return tools;
  return Promise.all(
    Object.entries(tools).map(async ([name, tool]): Promise<ListedTool> => {
      const { description, inputSchema } = tool as { description?: unknown; inputSchema?: unknown };
      return {
        name,
        ...(typeof description === 'string' ? { description } : {}),
        ...(inputSchema === undefined ? {} : { parameters: await asSchema(inputSchema as never).jsonSchema }),
      };
    }),
  );
}
