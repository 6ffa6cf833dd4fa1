/**
 * What tool search ranks: a tool as a model is shown it (name, description, JSON Schema of its parameters), and the
 * check that a list of them can be searched — every name a non-empty string, given once.
 */
import { describeValue, type Problem, ValidationError } from '@baton/core';

/** A tool as a model is shown it. `parameters` is the JSON Schema of its input (an MCP tool's `inputSchema`). */
export interface SearchableTool {
  name: string;
  description?: string;
  parameters?: unknown;
}

/** Every problem of `tools` (bad names, duplicates, a description that is not a string); none when they can be searched. */
export function searchableToolProblems(tools: readonly unknown[], path = 'tools'): Problem[] {
  if (!Array.isArray(tools)) {
    return [{ path, code: 'invalid', message: `must be an array of tools, got ${describeValue(tools)}` }];
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
