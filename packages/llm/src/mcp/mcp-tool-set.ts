/**
 * The targets one MCP server holds in a registry, kept equal to its latest `tools/list`: new tools registered,
 * removed ones unregistered, changed ones (schema, description, annotations) replaced, the rest left alone. A tool
 * whose registry name another tool of the list also maps to, or that a target from elsewhere already holds, is
 * refused and reported, never registered over another.
 */
import { BatonError, canonicalJson, type Health, type Registry } from '@baton/core';
import { mcpToolTargetName } from './mcp-tool-name.js';
import { type McpToolCaller, type McpToolInfo, mcpToolTarget } from './mcp-tool-target.js';

/** A tool that was not registered, and why. */
export interface SkippedMcpTool {
  /** The tool's own name on its server. */
  tool: string;
  /** The registry name it maps to, when it maps to one. */
  name: string | undefined;
  /**
   * `name-collision`: another tool of the same server maps to the same name (both are refused); `name-taken`: a target
   * registered by someone else has it; `invalid-name`: nothing usable is left of the name; `invalid-definition`: the
   * registry refused it (an invalid JSON Schema, say).
   */
  reason: 'name-collision' | 'name-taken' | 'invalid-name' | 'invalid-definition';
  message: string;
}

/** What one synchronisation changed, by registry name. */
export interface McpToolChanges {
  added: string[];
  removed: string[];
  replaced: string[];
  skipped: SkippedMcpTool[];
}

export class McpToolSet {
  /** Registry name → fingerprint of the tool registered under it. */
  readonly #held = new Map<string, string>();

  constructor(
    private readonly registry: Registry,
    private readonly server: string,
    private readonly call: McpToolCaller,
  ) {}

  names(): string[] {
    return [...this.#held.keys()];
  }

  /** Makes the registry hold exactly `tools` for this server. */
  sync(tools: readonly McpToolInfo[]): McpToolChanges {
    const { wanted, skipped } = this.#plan(tools);
    const changes: McpToolChanges = { added: [], removed: [], replaced: [], skipped };
    for (const name of this.names().filter((held) => !wanted.has(held))) {
      this.registry.unregister(name);
      this.#held.delete(name);
      changes.removed.push(name);
    }
    for (const [name, tool] of wanted) {
      const fingerprint = canonicalJson(tool);
      const before = this.#held.get(name);
      if (before === fingerprint) continue;
      const problem = this.#register(name, tool, before !== undefined);
      if (problem !== undefined) {
        if (before !== undefined) this.registry.unregister(name);
        this.#held.delete(name);
        skipped.push({ tool: tool.name, name, reason: 'invalid-definition', message: problem });
        if (before !== undefined) changes.removed.push(name);
        continue;
      }
      this.#held.set(name, fingerprint);
      (before === undefined ? changes.added : changes.replaced).push(name);
    }
    return changes;
  }

  /** Marks every target of this server (down while it is disconnected, saying why). */
  setHealth(health: Health, reason?: string): void {
    for (const name of this.names()) {
      if (this.registry.has({ name })) this.registry.setHealth(name, health, undefined, reason);
    }
  }

  /** Unregisters every target of this server; returns their names. */
  clear(): string[] {
    const names = this.names();
    for (const name of names) this.registry.unregister(name);
    this.#held.clear();
    return names;
  }

  #plan(tools: readonly McpToolInfo[]): { wanted: Map<string, McpToolInfo>; skipped: SkippedMcpTool[] } {
    const byName = new Map<string, McpToolInfo[]>();
    const skipped: SkippedMcpTool[] = [];
    for (const tool of tools) {
      const name = mcpToolTargetName(this.server, tool.name);
      if (name === undefined) {
        const message = `the tool name ${JSON.stringify(tool.name.slice(0, 100))} gives no usable registry name`;
        skipped.push({ tool: tool.name, name, reason: 'invalid-name', message });
      } else byName.set(name, [...(byName.get(name) ?? []), tool]);
    }
    const wanted = new Map<string, McpToolInfo>();
    for (const [name, same] of byName) {
      if (same.length > 1) {
        const all = same.map((tool) => JSON.stringify(tool.name)).join(', ');
        const message = `the tools ${all} of MCP server "${this.server}" all map to "${name}": none of them is registered`;
        for (const tool of same) skipped.push({ tool: tool.name, name, reason: 'name-collision', message });
      } else if (!this.#held.has(name) && this.registry.has({ name })) {
        const message = `"${name}" is already registered by something else: the tool ${JSON.stringify(same[0]!.name)} is not`;
        skipped.push({ tool: same[0]!.name, name, reason: 'name-taken', message });
      } else wanted.set(name, same[0]!);
    }
    return { wanted, skipped };
  }

  /** Registers (or replaces) one tool; the registry's refusal as a message. */
  #register(name: string, tool: McpToolInfo, replace: boolean): string | undefined {
    try {
      if (replace) this.registry.unregister(name);
      this.registry.register(mcpToolTarget(this.server, name, tool, this.call));
      return undefined;
    } catch (error) {
      if (!BatonError.isInstance(error)) throw error;
      return error.message;
    }
  }
}
