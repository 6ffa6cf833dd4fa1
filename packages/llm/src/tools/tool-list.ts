/**
 * Reads an MCP `tools/list` result (`{ "tools": [{ "name", "description", "inputSchema" }] }`, as a server answers it
 * or as saved in a file) into searchable tools, the input schema as their parameters.
 */
import { describeValue } from '@baton/core';
import { type SearchableTool, searchableToolProblems } from './searchable-tool.js';
import { ToolDataError } from './tool-data-error.js';

/** The 1-based line of a JSON syntax error's `position N`, when the message gives one. */
function lineOfPosition(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return undefined;
  return text.slice(0, Number(position)).split('\n').length;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new ToolDataError(
      'tools',
      `not valid JSON: ${message}`,
      { line: lineOfPosition(text, message) },
      { cause: error },
    );
  }
}

/**
 * @example
 * const tools = parseToolList(await readFile('tools.json', 'utf8'));
 * const search = await createToolSearch(tools);
 */
export function parseToolList(text: string): SearchableTool[] {
  let parsed = parseJson(text) as { tools?: unknown; result?: { tools?: unknown } } | null;
  // A whole JSON-RPC answer to tools/list is taken too: its result is the list.
  if (typeof parsed === 'object' && parsed !== null && parsed.tools === undefined && parsed.result !== undefined) {
    parsed = parsed.result as { tools?: unknown } | null;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.tools)) {
    throw new ToolDataError(
      'tools',
      `must be an MCP tools/list result { "tools": [...] } (or a JSON-RPC answer holding one), got ${describeValue(parsed)}`,
    );
  }
  const tools = parsed.tools as unknown[];
  const [problem] = searchableToolProblems(tools);
  if (problem) throw new ToolDataError('tools', problem.message, { path: problem.path });
  return tools.map((value, index) => {
    const tool = value as { name: string; description?: string; inputSchema?: unknown };
    const schema = tool.inputSchema;
    if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
      throw new ToolDataError('tools', `must be a JSON Schema object, got ${describeValue(schema)}`, {
        path: `tools[${index}].inputSchema`,
      });
    }
    return { name: tool.name, description: tool.description, parameters: schema };
  });
}
