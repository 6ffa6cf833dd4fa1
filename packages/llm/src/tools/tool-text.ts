/**
 * The text tool search reads from a tool: its name cut into words (`get_current-weather`, `getCurrentWeather`,
 * `weather.current`, `HTTPRequest` all give words), its description, and the names and descriptions of its
 * parameters (nested objects and array items too, a few levels deep, with enum values).
 */
import { type SearchableTool, toolParameters } from './searchable-tool.js';

const MAX_SCHEMA_DEPTH = 4;
const MAX_PARAMETERS = 100;

/** `getCurrentWeather` → `get current weather`; `k8s_list-pods.v2` → `k8s list pods v2`. */
export function nameWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .join(' ')
    .toLowerCase();
}

/** A JSON Schema node, as far as tool search reads one. */
export interface SchemaNode {
  properties?: Record<string, unknown>;
  items?: unknown;
  description?: unknown;
  enum?: unknown;
  format?: unknown;
}

/** `value` as a schema node when it is an object; anything else (a boolean schema, an array) reads as none. */
export const asNode = (value: unknown): SchemaNode | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as SchemaNode) : undefined;

function collectParameters(node: SchemaNode | undefined, depth: number, into: string[]): void {
  if (!node || depth > MAX_SCHEMA_DEPTH) return;
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (into.length >= MAX_PARAMETERS) return;
    const described = asNode(child);
    const parts = [nameWords(key)];
    if (typeof described?.description === 'string') parts.push(described.description);
    if (Array.isArray(described?.enum)) parts.push(described.enum.filter((v) => typeof v === 'string').join(' '));
    into.push(parts.join(' '));
    collectParameters(described, depth + 1, into);
    collectParameters(asNode(described?.items), depth + 1, into);
  }
}

/** The parameters of a JSON Schema as text: each name in words, its description and enum values, one per line. */
export function parameterText(schema: unknown): string {
  const lines: string[] = [];
  collectParameters(asNode(schema), 0, lines);
  return lines.join('\n');
}

/** Only the parameter names, in words. */
export function parameterNames(schema: unknown): string {
  return Object.keys(asNode(schema)?.properties ?? {})
    .map(nameWords)
    .join(' ');
}

/** The fields of a tool that search indexes. */
export interface ToolFields {
  name: string;
  description: string;
  parameters: string;
}

export function toolFields(tool: SearchableTool): ToolFields {
  return {
    name: nameWords(tool.name),
    description: tool.description ?? '',
    parameters: parameterText(toolParameters(tool)),
  };
}
