/**
 * The registered targets an agent offers the model as tools: picked by name or `prefix.*`, each at its highest
 * version, under a name a provider accepts (`^[a-zA-Z0-9_-]{1,64}$`: `weather.forecast` is shown as
 * `weather_forecast`; registry names have no `_`, so two targets never share one), with the target's input JSON
 * Schema as its parameters.
 */
import { createHash } from 'node:crypto';
import { type Problem, type Registry, ValidationError } from '@baton/core';

export interface AgentTool {
  /** The name the model sees and calls. */
  name: string;
  /** The registered target a call goes to. */
  target: string;
  description: string;
  /** The target's input JSON Schema. */
  parameters: Record<string, unknown>;
}

const MAX_TOOL_NAME = 64;
const ANY_INPUT = { type: 'object', properties: {}, additionalProperties: true };

/** `weather.forecast` → `weather_forecast`; a long name keeps its start and gains a hash of the whole. */
export function modelToolName(target: string): string {
  const name = target.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (name.length <= MAX_TOOL_NAME) return name;
  const hash = createHash('sha256').update(target).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`;
}

/**
 * Names an MCP tool is registered under differ from its own (`get_weather` → `files.get-weather`): say the one meant,
 * else what is there.
 */
function closestHint(name: string, names: readonly string[]): string {
  const folded = (text: string) => text.toLowerCase().replace(/[^a-z0-9.]+/g, '-');
  const meant = names.find((candidate) => folded(candidate) === folded(name));
  if (meant) return `; did you mean "${meant}"? (MCP tools are registered with - for _ and lower case)`;
  return ` (${registeredList(names)})`;
}

function registeredList(names: readonly string[]): string {
  if (names.length === 0) return 'the registry is empty';
  return `registered: ${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … ${names.length - 20} more` : ''}`;
}

const matches = (pattern: string, name: string) =>
  pattern === '*' || (pattern.endsWith('.*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name);

/**
 * The tools `patterns` pick, in registry order; a plain name that is not registered is an error (a pattern may match
 * nothing, as an MCP server's tools before it connects). `self` (the agent) is never its own tool.
 *
 * @example
 * agentTools(registry, ['weather.*', 'send-email'], 'assistant').map((tool) => tool.name); // ['weather_forecast', …]
 */
export function agentTools(registry: Registry, patterns: readonly string[], self: string): AgentTool[] {
  const names = [...new Set(registry.list().map((target) => target.name))].filter((name) => name !== self);
  const missing = patterns.filter((pattern) => !pattern.includes('*') && !names.includes(pattern));
  if (missing.length > 0) {
    const problems: Problem[] = missing.map((name) => ({
      path: 'tools',
      code: 'not-found',
      message: `"${name}" is not registered${closestHint(name, names)}`,
    }));
    throw new ValidationError(`agent "${self}" names tools that are not registered`, problems);
  }
  return names
    .filter((name) => patterns.some((pattern) => matches(pattern, name)))
    .map((name) => {
      const target = registry.resolve(name);
      const schema = target.input?.jsonSchema;
      return {
        name: modelToolName(name),
        target: name,
        description: target.description,
        parameters: typeof schema === 'object' ? schema : ANY_INPUT,
      };
    });
}

/**
 * Every tool a file names is there: each plain name registered, and each `prefix.*` pattern matching at least one
 * target — a pattern that matches none (a misspelt server name, a server that serves no tools) would leave the agent
 * without the tools its author meant it to have. Every problem is reported at once, by its place in `tools`.
 *
 * @example
 * checkPatternsMatch(registry, ['nope', 'nothing.*'], 'assistant');
 * // ValidationError: tools[0]: "nope" is not registered (…); tools[1]: "nothing.*" matches no tool (registered: …)
 */
export function checkPatternsMatch(registry: Registry, patterns: readonly string[], self: string): void {
  const names = [...new Set(registry.list().map((target) => target.name))].filter((name) => name !== self);
  const problems: Problem[] = patterns.flatMap((pattern, index): Problem[] => {
    const path = `tools[${index}]`;
    if (!pattern.includes('*')) {
      if (names.includes(pattern)) return [];
      return [{ path, code: 'not-found', message: `"${pattern}" is not registered${closestHint(pattern, names)}` }];
    }
    if (names.some((name) => matches(pattern, name))) return [];
    return [{ path, code: 'no-match', message: `"${pattern}" matches no tool (${registeredList(names)})` }];
  });
  if (problems.length > 0) throw new ValidationError(`agent "${self}" names tools it cannot have`, problems);
}
