import { describe, expect, it } from 'vitest';
import { ToolDataError } from './tool-data-error.js';
import { parseToolList } from './tool-list.js';

const failure = (text: string) => {
  try {
    parseToolList(text);
  } catch (error) {
    if (ToolDataError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('parsed');
};

describe('parseToolList', () => {
  it('reads an MCP tools/list result, the input schema as parameters', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const text = JSON.stringify({
      tools: [{ name: 'weather', description: 'Weather', inputSchema: schema }, { name: 'x' }],
    });
    expect(parseToolList(text)).toEqual([
      { name: 'weather', description: 'Weather', parameters: schema },
      { name: 'x', description: undefined, parameters: undefined },
    ]);
  });

  it('takes a whole JSON-RPC answer to tools/list too', () => {
    const text = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'weather' }] } });
    expect(parseToolList(text).map((tool) => tool.name)).toEqual(['weather']);
  });

  it('names the line of a JSON syntax error', () => {
    const error = failure('{\n  "tools": [\n    {"name": "a",}\n  ]\n}');
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^line 3: not valid JSON/);
  });

  it('names the path of a bad tool, and the value', () => {
    expect(failure('{"tools": [{"name": "a"}, {"name": 7}]}')).toMatchObject({
      path: 'tools[1].name',
      message: 'tools[1].name: must be a non-empty string, got 7',
    });
    expect(failure('{"tools": [{"name": "a", "inputSchema": "object"}]}').path).toBe('tools[0].inputSchema');
    expect(failure('[1, 2]').message).toMatch(
      /must be an MCP tools\/list result \{ "tools": \[\.\.\.\] \} \(or a JSON-RPC answer holding one\), got \[1,2\]/,
    );
  });
});
