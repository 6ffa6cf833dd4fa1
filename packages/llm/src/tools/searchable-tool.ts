/**
 * What tool search ranks: a tool as a model is shown it (name, description, JSON Schema of its parameters), and the
 * check that a list of them can be searched — every name a non-empty string, given once, and no misspelt schema or
 * description key.
 */
import { describeValue, type Problem, ValidationError } from '@baton/core';

/**
 * A tool as a model is shown it. The JSON Schema of its input is `parameters` (the AI SDK's name) or `inputSchema`
 * (MCP's: a tool from `tools/list` is taken as it is). Other keys (an MCP tool's `title` or `annotations`, an AI SDK
 * tool's `execute`) are ignored, except one that looks like a misspelt schema or description (`paramters`,
 * `input_schema`, `params`, `desc`): that is refused, rather than the schema silently left out.
 */
export interface SearchableTool {
  name: string;
  description?: string;
  parameters?: unknown;
  /** MCP's name for `parameters`: give one or the other. */
  inputSchema?: unknown;
}

/** The keys search reads. */
export const SEARCHABLE_TOOL_KEYS = ['name', 'description', 'parameters', 'inputSchema'] as const;

/** A key search does not read that was most likely meant as one it does: `paramters`, `input_schema`, `Description`. */
const MEANT_AS_KNOWN = /^(param|input|schema|desc)/i;

/** The JSON Schema of a tool's input, under either name. */
export const toolParameters = (tool: SearchableTool): unknown => tool.parameters ?? tool.inputSchema;

function keyProblems(tool: Record<string, unknown>, at: string): Problem[] {
  const known: readonly string[] = SEARCHABLE_TOOL_KEYS;
  const label = typeof tool.name === 'string' ? ` of tool ${describeValue(tool.name)}` : '';
  const problems: Problem[] = Object.keys(tool)
    .filter((key) => !known.includes(key) && MEANT_AS_KNOWN.test(key))
    .map((key) => ({
      path: `${at}.${key}`,
      code: 'unknown',
      message: `${describeValue(key)}${label} is not a key search reads: the input schema is parameters or inputSchema, the text description (known: ${known.join(', ')})`,
    }));
  if (tool.parameters !== undefined && tool.inputSchema !== undefined) {
    problems.push({
      path: `${at}.inputSchema`,
      code: 'invalid',
      message: `tool ${describeValue(tool.name)} gives both parameters and inputSchema: give its input schema once`,
    });
  }
  return problems;
}

/** Every problem of `tools` (bad names, duplicates, a description that is not a string); none when they can be searched. */
export function searchableToolProblems(tools: readonly unknown[], path = 'tools'): Problem[] {
  if (!Array.isArray(tools)) {
    const listResult = Array.isArray((tools as { tools?: unknown } | null)?.tools);
    const hint = listResult ? " (an MCP tools/list result: pass its 'tools')" : '';
    return [
      {
        path,
        code: 'invalid',
        message: `must be an array of tools or an AI SDK ToolSet${hint}, got ${describeValue(tools)}`,
      },
    ];
  }
  const problems: Problem[] = [];
  const seen = new Set<string>();
  tools.forEach((value, index) => {
    const tool = value as Partial<SearchableTool> | null;
    const at = `${path}[${index}]`;
    if (typeof tool !== 'object' || tool === null || Array.isArray(tool)) {
      problems.push({ path: at, code: 'invalid', message: `must be a tool object, got ${describeValue(value)}` });
      return;
    }
    if (typeof tool.name !== 'string' || tool.name.trim() === '') {
      problems.push({
        path: `${at}.name`,
        code: 'invalid',
        message: `must be a non-empty string, got ${describeValue(tool.name)}`,
      });
    } else if (seen.has(tool.name)) {
      problems.push({ path: `${at}.name`, code: 'duplicate', message: `${describeValue(tool.name)} is given twice` });
    } else {
      seen.add(tool.name);
    }
    problems.push(...keyProblems(tool as Record<string, unknown>, at));
    if (tool.description !== undefined && typeof tool.description !== 'string') {
      problems.push({
        path: `${at}.description`,
        code: 'invalid',
        message: `must be a string, got ${describeValue(tool.description)}`,
      });
    }
  });
  return problems;
}

/** Throws one `ValidationError` naming every problem of `tools`. */
export function checkSearchableTools(tools: readonly unknown[], path = 'tools'): asserts tools is SearchableTool[] {
  const problems = searchableToolProblems(tools, path);
  if (problems.length > 0) throw new ValidationError('tools cannot be searched', problems);
}
