import { describe, expect, it } from 'vitest';
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
});
