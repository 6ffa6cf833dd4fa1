/**
 * The files `baton tools eval` reads: an MCP `tools/list` result and JSON Lines of labelled requests. A missing file
 * or a bad line is an `InputError` naming the option, the file (and the line or path) and what the option takes.
 */
import {
  type LabelledToolQuery,
  parseLabelledToolQueries,
  parseToolList,
  type SearchableTool,
  ToolDataError,
} from '@baton/llm';
import { InputError } from '../input-error.js';
import { readTextFile } from './read-text-file.js';

/** `parse`, a `ToolDataError` becoming an `InputError` that names the option and the file, and what it takes. */
function parsed<T>(path: string, option: string, takes: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!ToolDataError.isInstance(error)) throw error;
    throw new InputError(path, `${option} ${path}: ${error.message} (${option} takes ${takes})`, { cause: error });
  }
}

export async function readToolList(path: string): Promise<SearchableTool[]> {
  const text = await readTextFile(path, 'tools file');
  const tools = parsed(
    path,
    '--tools',
    'an MCP tools/list result: {"tools": [{"name", "description", "inputSchema"}]}',
    () => parseToolList(text),
  );
  // Said here, not as every query's expected tool "not in" an empty list.
  if (tools.length === 0)
    throw new InputError(path, `${path}: lists no tools ("tools": []): there is nothing to search`);
  return tools;
}

export async function readToolQueries(path: string, toolNames: ReadonlySet<string>): Promise<LabelledToolQuery[]> {
  const text = await readTextFile(path, 'queries file');
  return parsed(path, '--queries', 'JSON Lines: {"query": "…", "expected": ["tool name"]} a line', () =>
    parseLabelledToolQueries(text, toolNames),
  );
}
