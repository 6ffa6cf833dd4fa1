/**
 * The files `baton tools eval` reads: an MCP `tools/list` result and JSON Lines of labelled requests. A missing file
 * or a bad line is an `InputError` naming the file (and the line or path).
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

function parsed<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (ToolDataError.isInstance(error)) throw new InputError(path, `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

export async function readToolList(path: string): Promise<SearchableTool[]> {
  const text = await readText(path, 'tools file');
  const tools = parsed(path, () => parseToolList(text));
  // Said here, not as every query's expected tool "not in" an empty list.
  if (tools.length === 0)
    throw new InputError(path, `${path}: lists no tools ("tools": []): there is nothing to search`);
  return tools;
}

export async function readToolQueries(path: string, toolNames: ReadonlySet<string>): Promise<LabelledToolQuery[]> {
  const text = await readText(path, 'queries file');
  return parsed(path, () => parseLabelledToolQueries(text, toolNames));
}
