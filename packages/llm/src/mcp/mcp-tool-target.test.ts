import type { HandlerContext } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { McpCallOutcomeUnknownError, McpConnectionError, McpToolError } from './mcp-errors.js';
import { mcpToolTarget } from './mcp-tool-target.js';

const schema = { type: 'object' as const, properties: { path: { type: 'string' } } };
const call = async () => ({ content: [] });

describe('mcpToolTarget', () => {
  it('takes a tool as effect-free only when it says it is read-only', () => {
    const effects = (annotations: Record<string, boolean>) =>
      mcpToolTarget('files', 'files.tool', { name: 'tool', inputSchema: schema, annotations }, call).effects;
    expect(effects({ readOnlyHint: true })).toBe('none');
    // Idempotent still changes the world (once): its call must wait for what it rests on to be journaled.
    expect(effects({ idempotentHint: true })).toBe('external');
    expect(effects({ destructiveHint: true })).toBe('external');
    expect(effects({})).toBe('external');
  });

  describe('a call that may have run', () => {
    const timedOut = new McpToolError('shop', 'place_order', 'Request timed out', { mcpCode: -32001, retryable: true });
    const dropped = new McpConnectionError('shop', 'failed the call of "place_order": socket hang up', {
      mayHaveRun: true,
    });
    const away = new McpConnectionError('shop', 'is disconnected (reconnecting)');
    const refused = new McpToolError('shop', 'place_order', 'out of stock');
    const failWith = (error: unknown, annotations: Record<string, boolean> = {}) => {
      const target = mcpToolTarget(
        'shop',
        'shop.place-order',
        { name: 'place_order', inputSchema: schema, annotations },
        async () => {
          throw error;
        },
      );
      return target.handler?.({}, { signal: new AbortController().signal } as HandlerContext);
    };

    it('is not retried when the tool changes things: a timeout or a connection lost after sending', async () => {
      for (const error of [timedOut, dropped]) {
        const failure = await failWith(error).catch((caught: unknown) => caught);
        expect(McpCallOutcomeUnknownError.isInstance(failure)).toBe(true);
        expect(failure).toMatchObject({ retryable: false, server: 'shop', tool: 'place_order', cause: error });
        expect((failure as Error).message).toContain('may have run');
      }
    });

    it('keeps its retryable error when the tool is read-only or idempotent, or the call was never sent', async () => {
      await expect(failWith(timedOut, { idempotentHint: true })).rejects.toBe(timedOut);
      await expect(failWith(dropped, { readOnlyHint: true })).rejects.toBe(dropped);
      await expect(failWith(away)).rejects.toBe(away);
      await expect(failWith(refused)).rejects.toBe(refused);
    });
  });
});
