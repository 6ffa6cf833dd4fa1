import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type ValidationError } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureStdioServer } from '../mcp/mcp-test-kit.js';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { parseAgentFile } from './agent-file.js';
import { AgentFileError } from './agent-file-error.js';
import { agentFromFile } from './agent-from-file.js';
import type { AgentOutput } from './agent-loop.js';
import { scripted, toolRegistry } from './agent-test-kit.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const problemsOf = (text: string) => {
  try {
    parseAgentFile(text, 'trip.yaml');
  } catch (error) {
    if (AgentFileError.isInstance(error))
      return error.problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`);
    throw error;
  }
  throw new Error('expected the file to be refused');
};

describe('parseAgentFile', () => {
  it('reads a full agent file', () => {
    const agent = parseAgentFile(
      [
        'name: trip-planner',
        'models:',
        '  - baseURL: https://api.openai.com/v1',
        '    name: gpt-4.1',
        '    apiKeyEnv: OPENAI_API_KEY',
        '    price: { inputPerMTok: 2, outputPerMTok: 8 }',
        '  - { baseURL: "http://127.0.0.1:11434/v1", name: llama3.1, maxOutputTokens: 512 }',
        'modelFallback: false',
        'system: |',
        '  You plan trips.',
        'mcpServers:',
        '  - { name: files, command: npx, args: [-y, some-mcp-server] }',
        '  - { name: weather, url: "http://127.0.0.1:9000/mcp" }',
        'tools: [weather.*, files.read-file]',
        'toolSearch: { k: 5, minScore: 0.1 }',
        'context: { maxInputTokens: 16000 }',
        'cache: { ttlSeconds: 600 }',
        'budget: { costUsd: 0.5 }',
        'maxSteps: 6',
      ].join('\n'),
    );
    expect(agent.models?.map((m) => m.name)).toEqual(['gpt-4.1', 'llama3.1']);
    expect(agent.modelFallback).toBe(false);
    expect(agent.system).toBe('You plan trips.\n');
    expect(agent.mcpServers?.[0]).toEqual({ name: 'files', command: 'npx', args: ['-y', 'some-mcp-server'] });
    expect(agent.toolSearch).toEqual({ k: 5, minScore: 0.1 });
  });

  it('refuses a model URL that is not http(s)', () => {
    expect(problemsOf(['model: { baseURL: "ftp://127.0.0.1/v1", name: m }'].join('\n'))).toEqual([
      '1:19 model.baseURL must be the http(s) URL of an OpenAI-compatible API, like http://127.0.0.1:11434/v1, got "ftp://127.0.0.1/v1"',
    ]);
  });

  it('names every problem with its path, line and column', () => {
    expect(
      problemsOf(
        [
          'model:',
          '  baseURL: not a url',
          '  name: 3',
          '  apiKey: sk-secret',
          'toolSearch: { k: 0 }',
          'maxSteps: many',
          'tols: [weather.*]',
        ].join('\n'),
      ),
    ).toEqual([
      '2:12 model.baseURL must be the http(s) URL of an OpenAI-compatible API, like http://127.0.0.1:11434/v1, got "not a url"',
      '3:9 model.name must be a string, got 3',
      '4:11 model.apiKey never put a key in the file: name the environment variable that holds it with apiKeyEnv',
      '5:18 toolSearch.k must be > 0, got 0',
      '6:11 maxSteps must be a whole number, got "many"',
      '7:1 tols unknown key "tols" (known: name, description, model, models, modelFallback, system, mcpServers, tools, toolSearch, context, cache, budget, maxSteps)',
    ]);
  });

  it('names the value given and what it must be, and the keys known where a key is unknown', () => {
    const model = 'model: { baseURL: "http://x/v1", name: m }';
    const problem = (line: string) => problemsOf(`${model}\n${line}`).map((text) => text.replace(/^\d+:\d+ /, ''));
    expect(problem('maxSteps: "eight"')).toEqual(['maxSteps must be a whole number, got "eight"']);
    expect(problem('modelFallback: "no"')).toEqual(['modelFallback must be true or false, got "no"']);
    expect(problem('toolSearch: { k: -1 }')).toEqual(['toolSearch.k must be > 0, got -1']);
    expect(problem('context: { maxInputTokens: 12.5 }')).toEqual([
      'context.maxInputTokens must be a whole number, got 12.5',
    ]);
    expect(problem('cache: true')).toEqual([
      'cache must be false or a map of path, ttlSeconds, similarityThreshold, got true',
    ]);
    expect(problem('cache: { ttl: 60 }')).toEqual([
      'cache.ttl unknown key "ttl" (known in cache: path, ttlSeconds, similarityThreshold)',
    ]);
    expect(problem('toolSearch: { k: 2, minScore: 2 }')).toEqual(['toolSearch.minScore must be ≤ 1, got 2']);
    expect(problem('toolSearch: {}')).toEqual(['toolSearch.k is required (a whole number)']);
    expect(problem('tools: [""]')).toEqual(['tools[0] must not be empty']);
    expect(problem('cache: { cacheTtl: 60 }')).toEqual([
      'cache.cacheTtl unknown key "cacheTtl": in agent.yaml it is ttlSeconds (known in cache: path, ttlSeconds, similarityThreshold)',
    ]);
    expect(
      problemsOf('models: [{ baseURL: "http://x/v1", name: n, price: { inputPer1kTokens: 1, outputPerMTok: 1 } }]').map(
        (text) => text.replace(/^\d+:\d+ /, ''),
      )[1],
    ).toMatch(
      /^models\[0\]\.price\.inputPer1kTokens unknown key "inputPer1kTokens": in agent.yaml it is inputPerMTok, in US dollars per million tokens \(not per thousand\)/,
    );
    expect(problemsOf('model: { baseURL: "http://x/v1", name: m, pricee: 1 }')).toEqual([
      '1:43 model.pricee unknown key "pricee" (known in model: baseURL, name, apiKeyEnv, headers, price, maxOutputTokens, idleTimeoutMs)',
    ]);
  });

  it('places a missing or conflicting key at its nearest parent', () => {
    expect(
      problemsOf(
        ['model: { baseURL: "http://x/v1", name: m }', 'mcpServers:', '  - name: files', '    args: [serve]'].join(
          '\n',
        ),
      ),
    ).toEqual(['3:5 mcpServers[0].command give command (a server over stdio) or url (Streamable HTTP)']);
    expect(problemsOf('system: hello\n')).toEqual([
      '1:1 model give model (one endpoint) or models (several, in order of preference)',
    ]);
    expect(
      problemsOf(
        [
          'model: { baseURL: "http://x/v1", name: m }',
          'models: [{ baseURL: "http://x/v1", name: n }]',
          'mcpServers: [{ name: web, command: x, url: "http://x/mcp" }]',
        ].join('\n'),
      ),
    ).toEqual([
      expect.stringMatching(/ model give model \(one endpoint\) or models \(in order of preference\), not both$/),
      expect.stringMatching(/ mcpServers\[0\]\.command give command .* or url .*, not both$/),
    ]);
    // With the file's other mistakes, not only once they are fixed.
    expect(
      problemsOf(
        [
          'model: { baseURL: "http://x/v1", name: m }',
          'models: [{ baseURL: "http://x/v1", name: n }]',
          'maxSteps: eight',
          'mcpServers: [{ name: web, args: 3 }]',
        ].join('\n'),
      ),
    ).toEqual([
      '1:8 model give model (one endpoint) or models (in order of preference), not both',
      '3:11 maxSteps must be a whole number, got "eight"',
      '4:14 mcpServers[0].command give command (a server over stdio) or url (Streamable HTTP)',
      '4:33 mcpServers[0].args must be a list, got 3',
    ]);
  });

  it('places a repeated MCP server name at the entry that repeats it', () => {
    const file = [
      'model: { baseURL: "http://127.0.0.1:1/v1", name: m }',
      'mcpServers:',
      '  - name: odd',
      '    command: node',
      '  - name: odd',
      '    url: http://127.0.0.1:9/mcp',
    ].join('\n');
    expect(problemsOf(file)).toEqual([
      expect.stringMatching(/^5:11 mcpServers\[1\]\.name two servers are named "odd"/),
    ]);
  });

  it('reports YAML syntax errors with their place', () => {
    const [problem] = problemsOf('model:\n  name: [unclosed\nsystem: x\n');
    expect(problem).toMatch(/^\d+:\d+ {2}\S/);
    expect(problem).not.toMatch(/^1:1 /);
  });

  it('says which file in its message', () => {
    expect(() =>
      parseAgentFile('maxSteps: 0\nmodel: { baseURL: "http://x/v1", name: m }\n', 'agents/trip.yaml'),
    ).toThrow('agents/trip.yaml is not a valid agent file:\n  agents/trip.yaml:1:11 maxSteps: must be > 0, got 0');
  });
});

describe('agentFromFile', () => {
  it('asks the next of its models when the first cannot be reached', async () => {
    server = await startChatServer({ reply: () => 'Sunny in Rome.' });
    const { registry } = toolRegistry();
    const file = parseAgentFile(
      [
        'name: weather-bot',
        'models:',
        '  - { baseURL: "http://127.0.0.1:1/v1", name: gpt-4o }',
        `  - { baseURL: "${server.baseURL}", name: gpt-4o-mini }`,
        'cache: false',
      ].join('\n'),
    );
    const agent = await agentFromFile(file, { registry });
    registry.register(agent.definition);
    const events: string[] = [];
    const result = await createEngine({ registry, onEvent: (event) => events.push(event.type) })
      .run({ steps: [{ id: 'ask', target: 'weather-bot', input: { query: 'Weather in Rome?' } }] })
      .result();
    expect((result.output as { ask: AgentOutput }).ask.text).toBe('Sunny in Rome.');
    expect(events).toContain('model-fallback');
    expect(server.bodies.map((body) => body.model)).toEqual(['gpt-4o-mini']);
    await agent.close();
  });

  it('hangs up on a model endpoint that sends nothing for idleTimeoutMs, before or during its answer, and asks the next', async () => {
    server = await startChatServer({ reply: () => 'Sunny in Rome.' });
    const sockets: Socket[] = [];
    // One takes the connection and never answers; the other sends its headers and a first part, then nothing.
    const mute = createNetServer((socket) => sockets.push(socket));
    const stalled = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(
        'data: {"id":"1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Sun"}}]}\n\n',
      );
    });
    stalled.on('connection', (socket) => sockets.push(socket));
    for (const listening of [mute, stalled])
      await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const portOf = (listening: { address(): unknown }) => (listening.address() as { port: number }).port;
    try {
      const { registry } = toolRegistry();
      const file = parseAgentFile(
        [
          'name: weather-bot',
          'models:',
          `  - { baseURL: "http://127.0.0.1:${portOf(mute)}/v1", name: mute, idleTimeoutMs: 300 }`,
          `  - { baseURL: "http://127.0.0.1:${portOf(stalled)}/v1", name: stalled, idleTimeoutMs: 300 }`,
          `  - { baseURL: "${server.baseURL}", name: gpt-4o-mini }`,
          'cache: false',
        ].join('\n'),
      );
      const agent = await agentFromFile(file, { registry });
      registry.register(agent.definition);
      const fallbacks: Array<Record<string, unknown>> = [];
      const result = await createEngine({
        registry,
        onEvent: (event) => {
          if (event.type === 'model-fallback') fallbacks.push(event as unknown as Record<string, unknown>);
        },
      })
        .run({ steps: [{ id: 'ask', target: 'weather-bot', input: { query: 'Weather in Rome?' } }] })
        .result();
      expect((result.output as { ask: AgentOutput }).ask.text).toBe('Sunny in Rome.');
      expect(fallbacks.map((event) => String(event.reason))).toEqual([
        expect.stringMatching(/sent no answer for 0\.3 s/),
        expect.stringMatching(/stopped sending its answer for 0\.3 s/),
      ]);
      await agent.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
      await new Promise((resolve) => stalled.close(resolve));
    }
  });

  it('runs the agent the file declares against its endpoint', async () => {
    server = await startChatServer({
      reply: scripted([{ toolCalls: [{ name: 'weather_current', arguments: { city: 'Rome' } }] }, 'Sunny in Rome.']),
    });
    const { registry, calls } = toolRegistry();
    const file = parseAgentFile(
      [
        'name: weather-bot',
        `model: { baseURL: "${server.baseURL}", name: gpt-4o-mini, apiKeyEnv: LOCAL_KEY }`,
        'system: Answer briefly.',
        'tools: [weather.current]',
        'cache: false',
      ].join('\n'),
    );
    const agent = await agentFromFile(file, { registry, env: { LOCAL_KEY: 'k-1' } });
    registry.register(agent.definition);
    const result = await createEngine({ registry })
      .run({ steps: [{ id: 'ask', target: 'weather-bot', input: { query: 'Weather in Rome?' } }] })
      .result();
    const output = (result.output as { ask: AgentOutput }).ask;
    expect(output.text).toBe('Sunny in Rome.');
    expect(calls).toEqual(['current:Rome']);
    expect(server.bodies[0]?.tools?.map((t) => t.function.name)).toEqual(['weather_current']);
    await agent.close();
  });

  it("offers the tools of the file's MCP servers (a real server over stdio) and closes them", async () => {
    server = await startChatServer({
      reply: scripted([{ toolCalls: [{ name: 'weather_get-weather', arguments: { city: 'Oslo' } }] }, 'Oslo: 8°C.']),
    });
    const { registry } = toolRegistry();
    const stdio = fixtureStdioServer('weather');
    const file = parseAgentFile(
      [
        `model: { baseURL: "${server.baseURL}", name: gpt-4o-mini }`,
        'mcpServers:',
        `  - { name: weather, command: ${JSON.stringify(stdio.command)}, args: ${JSON.stringify(stdio.args)} }`,
        'cache: false',
      ].join('\n'),
    );
    const agent = await agentFromFile(file, { registry, name: 'mcp-agent' });
    registry.register(agent.definition);
    const result = await createEngine({ registry })
      .run({ steps: [{ id: 'ask', target: 'mcp-agent', input: { query: 'Weather in Oslo?' } }] })
      .result();
    const output = (result.output as { ask: AgentOutput }).ask;
    expect(output.toolCalls).toEqual([
      { id: 'call_1', tool: 'weather.get-weather', input: { city: 'Oslo' }, output: { city: 'Oslo', celsius: 8 } },
    ]);
    expect(output.text).toBe('Oslo: 8°C.');
    // Every tool of the server was offered (the file names no tools).
    expect(server.bodies[0]?.tools?.map((t) => t.function.name)).toContain('weather_send-email');
    await agent.close();
    expect(registry.list().some((target) => target.name.startsWith('weather.get'))).toBe(false);
  });

  it('refuses, all at once, a tools pattern that matches no tool and a name that is not registered', async () => {
    const file = parseAgentFile(
      'model: { baseURL: "http://127.0.0.1:1/v1", name: m }\ntools: [weather.*, nothing.*, nope]\n',
    );
    const { registry } = toolRegistry();
    const error = await agentFromFile(file, { registry }).catch((e: unknown) => e);
    expect(AgentFileError.isInstance(error)).toBe(true);
    const names = registry.list().map((target) => target.name);
    // Placed in the file like a parse's problems: `tools` is on line 2, its items at columns 20 and 30.
    expect((error as AgentFileError).problems).toEqual([
      {
        path: 'tools[1]',
        code: 'no-match',
        message: `"nothing.*" matches no tool (registered: ${names.join(', ')})`,
        line: 2,
        column: 20,
      },
      {
        path: 'tools[2]',
        code: 'not-found',
        message: expect.stringMatching(/^"nope" is not registered/),
        line: 2,
        column: 31,
      },
    ]);
    expect((error as Error).message).toMatch(
      /^agent\.yaml is not a valid agent file:\n {2}agent\.yaml:2:20 tools\[1\]: "nothing\.\*"/,
    );
  });

  it('names every variable that is not set at once, before connecting anything, placed in the file', async () => {
    const file = parseAgentFile(
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent file's own ${NAME} syntax, not a template
        'model: { baseURL: "http://127.0.0.1:1/v1", name: m, apiKeyEnv: NO_KEY, headers: { x-team: "${NO_TEAM}" } }',
        'mcpServers:',
        '  - name: files',
        '    command: /nonexistent/server',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent file's own ${NAME} syntax, not a template
        '    env: { TOKEN: "${NO_TOKEN}" }',
        '',
      ].join('\n'),
    );
    let connected = false;
    const error = await agentFromFile(file, {
      registry: toolRegistry().registry,
      env: {},
      connectMcp: async () => {
        connected = true;
        throw new Error('not reached');
      },
    }).catch((e: unknown) => e);
    expect(connected).toBe(false);
    expect(AgentFileError.isInstance(error)).toBe(true);
    expect((error as AgentFileError).problems.map((problem) => [problem.path, problem.line])).toEqual([
      ['model.apiKeyEnv', 1],
      ['model.headers.x-team', 1],
      ['mcpServers[0].env.TOKEN', 5],
    ]);
  });

  it('refuses a key variable that is not set, naming it', async () => {
    const file = parseAgentFile('model: { baseURL: "http://127.0.0.1:1/v1", name: m, apiKeyEnv: NOPE_KEY }\n');
    const error = await agentFromFile(file, { registry: toolRegistry().registry, env: {} }).catch((e: unknown) => e);
    expect(AgentFileError.isInstance(error)).toBe(true);
    expect((error as ValidationError).problems).toEqual([
      {
        path: 'model.apiKeyEnv',
        code: 'missing-env',
        message: 'the environment variable NOPE_KEY is not set; export it before running the agent',
        line: 1,
        column: 64,
      },
    ]);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent file's own ${NAME} syntax, not a template
  it('refuses a credential written in the file, and fills ${NAME} from the environment', async () => {
    expect(
      problemsOf(
        [
          'model:',
          '  baseURL: "http://127.0.0.1:1/v1"',
          '  name: m',
          '  headers: { Authorization: "Bearer sk-live-123", X-Team: blue }',
        ].join('\n'),
      ),
    ).toEqual([
      expect.stringMatching(
        /^4:\d+ model\.headers\.Authorization never put a credential in the file: write it as \$\{ENV_NAME\}/,
      ),
    ]);
    const file = parseAgentFile(
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent file's own ${NAME} syntax, not a template
        'model: { baseURL: "http://127.0.0.1:1/v1", name: m, headers: { Authorization: "Bearer ${MODEL_TOKEN}" } }',
        'mcpServers:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent file's own ${NAME} syntax, not a template
        '  - { name: hub, url: "http://127.0.0.1:1/mcp", headers: { Authorization: "Bearer ${HUB_TOKEN}" } }',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent file's own ${NAME} syntax, not a template
        '  - { name: git, command: git-mcp, env: { GITHUB_TOKEN: "${GH}", MODE: read } }',
      ].join('\n'),
    );
    const seen: unknown[] = [];
    const connectMcp = async (options: { servers: unknown[] }) => {
      seen.push(...options.servers);
      return { close: async () => {} };
    };
    const env = { MODEL_TOKEN: 'm-1', HUB_TOKEN: 'h-2', GH: 'g-3' };
    const agent = await agentFromFile(file, { registry: toolRegistry().registry, env, connectMcp });
    expect(seen).toEqual([
      expect.objectContaining({ name: 'hub', headers: { Authorization: 'Bearer h-2' } }),
      expect.objectContaining({ name: 'git', env: { GITHUB_TOKEN: 'g-3', MODE: 'read' } }),
    ]);
    await agent.close();
    const missing = await agentFromFile(file, {
      registry: toolRegistry().registry,
      env: { GH: 'g' },
      connectMcp,
    }).catch((e: unknown) => e);
    // Both at once: the model's header and the first server's, before any server is connected.
    expect((missing as ValidationError).problems.map((p) => p.path)).toEqual([
      'model.headers.Authorization',
      'mcpServers[0].headers.Authorization',
    ]);
  });

  it("runs an MCP server's command in the file's folder, or its cwd read from there", async () => {
    const file = parseAgentFile(
      [
        'model: { baseURL: "http://127.0.0.1:1/v1", name: m }',
        'mcpServers:',
        '  - { name: here, command: ./server.js }',
        '  - { name: tools, command: ./server.js, cwd: tools }',
        '  - { name: hub, url: "http://127.0.0.1:1/mcp" }',
      ].join('\n'),
    );
    const seen: Array<{ name: string; cwd?: string }> = [];
    const connectMcp = async (options: { servers: Array<{ name: string; cwd?: string }> }) => {
      seen.push(...options.servers);
      return { close: async () => {} };
    };
    const baseDir = join(tmpdir(), 'project');
    const agent = await agentFromFile(file, { registry: toolRegistry().registry, connectMcp, baseDir });
    expect(seen.map((server) => [server.name, server.cwd])).toEqual([
      ['here', baseDir],
      ['tools', join(baseDir, 'tools')],
      ['hub', undefined],
    ]);
    await agent.close();
  });
});
