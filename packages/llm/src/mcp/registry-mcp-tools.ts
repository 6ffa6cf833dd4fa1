/**
 * The registry's targets as MCP tools: one per name (its best version), with its description and input JSON Schema;
 * a call runs the target through the engine as a one-step plan, so every policy applies (timeouts, retries,
 * breakers, budgets) and an MCP cancellation cancels the run.
 */
import { type Engine, type RegisteredTarget, type Registry, ValidationError } from '@baton/core';
import {
  isMcpToolName,
  type McpToolDescription,
  type McpToolProvider,
  toolError,
  toolInputSchema,
  toolOutputSchema,
  toolResult,
} from './mcp-tool-provider.js';

export interface RegistryMcpToolsOptions {
  registry: Registry;
  engine: Engine;
  /** Which targets are shown. @default every target */
  include?: (target: RegisteredTarget) => boolean;
}

/**
 * @example
 * const tools = registryMcpTools({ registry, engine: createEngine({ registry }) });
 * await tools.call('weather.get-forecast', { city: 'Paris' }, AbortSignal.timeout(5000));
 */
export function registryMcpTools(options: RegistryMcpToolsOptions): McpToolProvider {
  const { registry, engine } = options;
  const shown = (name: string): RegisteredTarget | undefined => {
    const target = isMcpToolName(name) ? registry.describe({ name }) : undefined;
    return target !== undefined && (options.include?.(target) ?? true) ? target : undefined;
  };
  return {
    tools: async () => {
      const names = [...new Set(registry.list().map((target) => target.name))].sort();
      return names.flatMap((name) => {
        const target = shown(name);
        return target === undefined ? [] : [describeTarget(target)];
      });
    },
    call: async (name, args, signal) => {
      const target = shown(name);
      if (target === undefined) return undefined;
      const { wrapped } = toolInputSchema(target.input?.jsonSchema);
      // Checked here, in the tool's terms: the engine's own check would speak of the plan's internal step.
      const parsed = target.input?.parse(wrapped ? args.input : args);
      if (parsed && !parsed.ok) {
        return toolError(
          new ValidationError(`the arguments of the tool ${name} do not match its input schema`, parsed.problems),
        );
      }
      const plan = {
        steps: [{ id: 'call', target: name, input: { $ref: wrapped ? 'request.data.input' : 'request.data' } }],
        output: { $ref: 'steps.call.output' },
      };
      try {
        const result = await engine.run(plan, { data: args }, { signal }).result();
        return toolResult(result.output);
      } catch (error) {
        return toolError(error);
      }
    },
  };
}

function describeTarget(target: RegisteredTarget): McpToolDescription {
  const outputSchema = toolOutputSchema(target.output?.jsonSchema);
  return {
    name: target.name,
    description: target.description,
    inputSchema: toolInputSchema(target.input?.jsonSchema).schema,
    ...(outputSchema === undefined ? {} : { outputSchema }),
    annotations: { readOnlyHint: target.effects === 'none' },
  };
}
