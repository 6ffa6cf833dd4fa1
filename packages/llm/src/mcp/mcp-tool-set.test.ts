import { createRegistry } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { McpToolSet } from './mcp-tool-set.js';
import type { McpToolInfo } from './mcp-tool-target.js';

const tool = (name: string, properties: Record<string, unknown> = {}): McpToolInfo => ({
  name,
  description: `does ${name}`,
  inputSchema: { type: 'object', properties },
});
const noCall = async () => undefined;

describe('McpToolSet.sync', () => {
  it('refuses every tool of a server that maps to the same name, and says which', () => {
    const registry = createRegistry();
    const set = new McpToolSet(registry, 'chat', noCall);
    const changes = set.sync([tool('send_message'), tool('sendMessage'), tool('list_rooms')]);
    expect(changes.added).toEqual(['chat.list-rooms']);
    expect(changes.skipped).toEqual([
      expect.objectContaining({ tool: 'send_message', name: 'chat.send-message', reason: 'name-collision' }),
      expect.objectContaining({ tool: 'sendMessage', name: 'chat.send-message', reason: 'name-collision' }),
    ]);
    expect(changes.skipped[0]?.message).toBe(
      'the tools "send_message", "sendMessage" of MCP server "chat" all map to "chat.send-message": none of them is registered',
    );
    expect(registry.list().map((target) => target.name)).toEqual(['chat.list-rooms']);
  });

  it('never registers over a target registered by someone else', () => {
    const registry = createRegistry();
    registry.register({ name: 'chat.send', description: 'mine', handler: () => 'mine' });
    const changes = new McpToolSet(registry, 'chat', noCall).sync([tool('send')]);
    expect(changes.skipped).toEqual([expect.objectContaining({ tool: 'send', reason: 'name-taken' })]);
    expect(registry.resolve({ name: 'chat.send' }).description).toBe('mine');
  });

  it('refuses a tool whose JSON Schema does not compile, with the registry message', () => {
    const registry = createRegistry();
    const broken: McpToolInfo = { name: 'broken', inputSchema: { type: 'object', properties: { a: { type: 12 } } } };
    const changes = new McpToolSet(registry, 's', noCall).sync([broken, tool('fine')]);
    expect(changes.added).toEqual(['s.fine']);
    expect(changes.skipped).toEqual([expect.objectContaining({ tool: 'broken', reason: 'invalid-definition' })]);
    expect(changes.skipped[0]?.message).toContain('input');
  });

  it('leaves unchanged tools alone, replaces changed ones, removes missing ones', () => {
    const registry = createRegistry();
    const set = new McpToolSet(registry, 's', noCall);
    set.sync([tool('a'), tool('b'), tool('c')]);
    const before = registry.resolve({ name: 's.a' });
    const changes = set.sync([tool('a'), tool('b', { id: { type: 'string' } })]);
    expect(changes).toEqual({ added: [], removed: ['s.c'], replaced: ['s.b'], skipped: [] });
    expect(registry.resolve({ name: 's.a' })).toBe(before);
    expect(registry.resolve({ name: 's.b' }).input?.jsonSchema).toMatchObject({ properties: { id: {} } });
  });

  it('keeps a long description whole in metadata and cuts the target one to 500 characters', () => {
    const registry = createRegistry();
    const long = { ...tool('long'), description: 'x'.repeat(800) };
    new McpToolSet(registry, 's', noCall).sync([long]);
    const target = registry.resolve({ name: 's.long' });
    expect(target.description).toHaveLength(500);
    expect((target.metadata.mcp as { description: string }).description).toHaveLength(800);
  });
});
