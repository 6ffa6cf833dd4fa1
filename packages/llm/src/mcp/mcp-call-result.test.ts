import { describe, expect, it } from 'vitest';
import { mcpCallOutput } from './mcp-call-result.js';
import { McpToolError } from './mcp-errors.js';

describe('mcpCallOutput', () => {
  it('prefers structuredContent, else gives the content blocks', () => {
    expect(mcpCallOutput('s', 't', { content: [{ type: 'text', text: '3' }], structuredContent: { n: 3 } })).toEqual({
      n: 3,
    });
    const content = [{ type: 'image', data: 'AA==', mimeType: 'image/png' }];
    expect(mcpCallOutput('s', 't', { content })).toBe(content);
    expect(mcpCallOutput('s', 't', { toolResult: { legacy: true } })).toEqual({ legacy: true });
  });

  it('turns isError into an McpToolError with the text, not retryable', () => {
    const call = () =>
      mcpCallOutput('mail', 'send', {
        isError: true,
        content: [
          { type: 'text', text: 'quota exceeded' },
          { type: 'image', data: '', mimeType: 'image/png' },
        ],
      });
    expect(call).toThrow(McpToolError);
    try {
      call();
    } catch (error) {
      expect(error).toMatchObject({ server: 'mail', tool: 'send', retryable: false, mcpCode: undefined });
      expect((error as Error).message).toBe('the tool "send" of MCP server "mail" failed: quota exceeded\n[image]');
    }
  });
});
