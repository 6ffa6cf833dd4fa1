/**
 * The files `baton tools eval` reads: an MCP `tools/list` result and JSON Lines of labelled requests. A missing file
 * or a bad line is an `InputError` naming the option, the file (and the line or path) and what the option takes.
 */
import { readFile } from 'node:fs/promises';
import {
  type LabelledToolQuery,
  parseLabelledToolQueries,
  parseToolList,
  type SearchableTool,
  ToolDataError,
} from '@baton/llm';
import { InputError } from '../input-error.js';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(path, `cannot read ${what} "${path}": ${code === 'ENOENT' ? 'no such file' : code}`, {
      cause: error,
    });
  }
}

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
  const text = await readText(path, 'tools file');
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
  const text = await readText(path, 'queries file');
  return parsed(path, '--queries', 'JSON Lines: {"query": "…", "expected": ["tool name"]} a line', () =>
    parseLabelledToolQueries(text, toolNames),
  );
}
