/**
 * From a checked `agent.yaml` to a registered agent: the model endpoints become OpenAI-compatible models (the key read
 * from the environment variable the file names), the MCP servers are connected so their tools are registry targets
 * (`connectMcpServers`: stdio commands and Streamable HTTP URLs, reconnected when they drop), and `defineAgent` makes
 * the target, offering the file's `tools` — every MCP server's tools (`<server>.*`) when it names none.
 */
import { resolve } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { type Registry, type TargetDefinition, ValidationError } from '@baton/core';
import type { EnhanceConfig } from '../config/enhance-config.js';
import { DEFAULT_CACHE_PATH } from '../config/resolve-config.js';
import { connectMcpServers } from '../mcp/connect-mcp-servers.js';
import { placeInAgentFile } from './agent-file.js';
import { AgentFileError } from './agent-file-error.js';
import { type AgentFile, ENV_REFERENCE, type McpServerEntry, type ModelEndpoint } from './agent-file-schema.js';
import type { AgentInput, AgentOutput } from './agent-loop.js';
import type { AgentModel, AgentOptions } from './agent-options.js';
import { agentTools, checkPatternsMatch } from './agent-tools.js';
import { agentDefinition } from './define-agent.js';
import { modelStreamFetch } from './model-stream-fetch.js';

/** Connects MCP servers and registers their tools (`connectMcpServers` of `@baton/llm`). */
export type ConnectMcpFunction = (options: {
  registry: Registry;
  servers: McpServerEntry[];
}) => Promise<{ close(): Promise<void> }>;

export interface AgentFromFileOptions {
  registry: Registry;
  /** Where `apiKeyEnv` is read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Connects the file's `mcpServers`. @default `connectMcpServers` (their tools registered as `<server>.<tool>`) */
  connectMcp?: ConnectMcpFunction;
  /** The agent's name when the file gives none. @default 'agent' */
  name?: string;
  /**
   * The folder the file's relative paths are read from — an MCP server's `cwd` (the folder its command runs in) and
   * `cache.path` — as a compose file's are: the file's own folder (`baton run` passes it). @default process.cwd()
   */
  baseDir?: string;
  /** Stream the model calls, their text sent as `text-delta` events as it arrives (`defineAgent`'s `stream`). @default false */
  stream?: boolean;
}

export interface FileAgent {
  definition: TargetDefinition<AgentInput, AgentOutput>;
  /** Closes the MCP connections. */
  close(): Promise<void>;
}

type Env = AgentFromFileOptions['env'];

/** Fills every `${NAME}` of a map's values from the environment (`checkEnvironment` has made sure each is set). */
function expanded(map: Readonly<Record<string, string>> | undefined, env: Env) {
  if (map === undefined) return undefined;
  const fill = (value: string) =>
    value.replace(new RegExp(ENV_REFERENCE.source, 'g'), (_match, variable: string) => env?.[variable] ?? '');
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [name, fill(value)]));
}

/** The `${NAME}` references of a map's values, each with its path. */
function references(map: Readonly<Record<string, string>> | undefined, path: string) {
  return Object.entries(map ?? {}).flatMap(([name, value]) =>
    [...value.matchAll(new RegExp(ENV_REFERENCE.source, 'g'))].map(([, variable]) => ({
      path: `${path}.${name}`,
      variable: variable!,
    })),
  );
}

/**
 * Every variable the file names that is not set — the models' keys and headers, the MCP servers' headers and
 * environments — in one `ValidationError`, before anything is connected, so one run names them all.
 */
function checkEnvironment(file: AgentFile, env: Env): void {
  const endpoints = file.models
    ? file.models.map((endpoint, index) => [endpoint, `models[${index}]`] as const)
    : file.model
      ? [[file.model, 'model'] as const]
      : [];
  const named = [
    ...endpoints.flatMap(([endpoint, path]) => [
      ...(endpoint.apiKeyEnv === undefined ? [] : [{ path: `${path}.apiKeyEnv`, variable: endpoint.apiKeyEnv }]),
      ...references(endpoint.headers, `${path}.headers`),
    ]),
    ...(file.mcpServers ?? []).flatMap((server, index) => [
      ...references(server.headers, `mcpServers[${index}].headers`),
      ...references(server.env, `mcpServers[${index}].env`),
    ]),
  ];
  const problems = named
    .filter(({ variable }) => env?.[variable] === undefined || env[variable] === '')
    .map(({ path, variable }) => ({
      path,
      code: 'missing-env',
      message: `the environment variable ${variable} is not set; export it before running the agent`,
    }));
  if (problems.length > 0) throw new ValidationError('the agent file names variables that are not set', problems);
}

/** How long a model endpoint of an agent file may send nothing: generous, for a local model loading a long prompt. */
const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

function modelOf(endpoint: ModelEndpoint, env: Env): AgentModel {
  const apiKey = endpoint.apiKeyEnv === undefined ? undefined : env?.[endpoint.apiKeyEnv];
  const provider = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: endpoint.baseURL,
    includeUsage: true,
    // A 200 that is no event stream (a web page at a wrong baseURL) is refused showing what it sent; an endpoint that
    // hangs is hung up on.
    fetch: modelStreamFetch(globalThis.fetch, { idleTimeoutMs: endpoint.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(endpoint.headers === undefined ? {} : { headers: expanded(endpoint.headers, env) }),
  });
  return {
    model: provider.chatModel(endpoint.name),
    ...(endpoint.price ? { price: endpoint.price } : {}),
    ...(endpoint.maxOutputTokens ? { maxOutputTokens: endpoint.maxOutputTokens } : {}),
  };
}

/**
 * A `cache` section keeps answers in a SQLite file, so a second `baton run` is served from it: `path`, or
 * `.baton/cache.db` (enhance()'s default), under `baseDir`. Without one, answers live for the run only.
 */
function cacheOf(cache: AgentFile['cache'], baseDir: string): AgentOptions['cache'] {
  if (cache === false || cache === undefined) return cache;
  const config: EnhanceConfig = { cachePath: resolve(baseDir, cache.path ?? DEFAULT_CACHE_PATH) };
  if (cache.ttlSeconds !== undefined) config.cacheTtl = cache.ttlSeconds;
  if (cache.similarityThreshold !== undefined) config.similarityThreshold = cache.similarityThreshold;
  return config;
}

/**
 * @example
 * const agent = await agentFromFile(await loadAgentFile('agent.yaml'), { registry, connectMcp: connectMcpServers });
 * registry.register(agent.definition);
 */
export async function agentFromFile(file: AgentFile, options: AgentFromFileOptions): Promise<FileAgent> {
  try {
    return await buildAgent(file, options);
  } catch (error) {
    // A problem found now (a tool not registered, a key's variable not set) is placed in the file, as a parse's is.
    if (!ValidationError.isInstance(error) || AgentFileError.isInstance(error)) throw error;
    throw placeInAgentFile(file, error.problems) ?? error;
  }
}

async function buildAgent(file: AgentFile, options: AgentFromFileOptions): Promise<FileAgent> {
  const env = options.env ?? process.env;
  checkEnvironment(file, env);
  const baseDir = options.baseDir ?? process.cwd();
  const endpoints = file.models ?? (file.model ? [file.model] : []);
  const models = endpoints.map((endpoint) => modelOf(endpoint, env));
  const servers = (file.mcpServers ?? []).map((server) => {
    const headers = expanded(server.headers, env);
    const serverEnv = expanded(server.env, env);
    // A command runs in the file's folder (or its `cwd`, read from there): `./server.js` means the file's neighbour.
    const cwd = server.command === undefined ? {} : { cwd: resolve(baseDir, server.cwd ?? '.') };
    return { ...server, ...cwd, ...(headers ? { headers } : {}), ...(serverEnv ? { env: serverEnv } : {}) };
  });
  const connect = options.connectMcp ?? connectMcpServers;
  const connections = servers.length > 0 ? await connect({ registry: options.registry, servers }) : undefined;
  try {
    const name = file.name ?? options.name ?? 'agent';
    const tools = file.tools ?? servers.map((server) => `${server.name}.*`);
    // Checked now, with the MCP servers' tools registered: a name the file got wrong stops it before any run.
    if (file.tools) checkPatternsMatch(options.registry, file.tools, name);
    agentTools(options.registry, tools, name);
    const definition = agentDefinition(
      {
        name,
        ...(file.description === undefined ? {} : { description: file.description }),
        models,
        ...(file.modelFallback === undefined ? {} : { modelFallback: file.modelFallback }),
        ...(file.system === undefined ? {} : { system: file.system }),
        registry: options.registry,
        tools,
        ...(file.toolSearch ? { toolSearch: file.toolSearch } : {}),
        ...(file.context ? { context: file.context } : {}),
        ...(file.cache === undefined ? {} : { cache: cacheOf(file.cache, baseDir) }),
        ...(file.budget ? { budget: file.budget } : {}),
        ...(file.maxSteps ? { maxSteps: file.maxSteps } : {}),
        ...(options.stream === undefined ? {} : { stream: options.stream }),
      },
      { toolsChecked: true },
    );
    return { definition, close: async () => connections?.close() };
  } catch (error) {
    await connections?.close();
    throw error;
  }
}
