import type { Orchestration, Service } from '@baton/protocol';
import { describe, expect, it } from 'vitest';
import { type BatonServerConnection, orchestrationMcpTools } from './orchestration-mcp-tools.js';

const at = '2026-01-01T00:00:00.000Z';
const service = (
  name: string,
  input: Record<string, unknown> | null,
  health: Service['health'] = 'healthy',
): Service => ({
  id: `svc_${name}`,
  name,
  kind: 'service',
  description: `the ${name} service`,
  version: 1,
  declaredVersion: null,
  input,
  output: null,
  revertible: false,
  effectFree: name === 'weather',
  health,
  instances: [],
  createdAt: at,
  updatedAt: at,
});

/** A stand-in for a Baton server's client that runs every orchestration's one service at once, in memory. */
function standIn(outcome: 'succeeded' | 'failed' | 'hang') {
  const submitted: Array<{ action: string; data?: unknown; plan?: unknown }> = [];
  const cancelled: string[] = [];
  const view = (id: string, status: Orchestration['status']): Orchestration => ({
    id,
    action: { content: submitted[0]?.action ?? '' },
    status,
    plan: null,
    parallelGroups: [],
    steps: [
      {
        id: 'call',
        status: status === 'succeeded' ? 'succeeded' : 'failed',
        service: 'weather@1',
        attempts: 1,
        startedAt: at,
        finishedAt: at,
        error: null,
        usage: {},
      },
    ],
    ...(status === 'succeeded' ? { result: { celsius: 21 } } : {}),
    error: status === 'failed' ? { message: 'the service is down' } : null,
    usage: {},
    retries: 0,
    createdAt: at,
    updatedAt: at,
    finishedAt: at,
  });
  const connection: BatonServerConnection = {
    services: async () => [
      service('weather', { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      service('shout', { type: 'string' }),
      service('pager', { type: 'object' }, 'down'),
    ],
    orchestrate: async (input) => {
      submitted.push(input);
      return { id: 'orc_1', status: 'running' };
    },
    get: async (id) => view(id, cancelled.includes(id) ? 'cancelled' : outcome === 'hang' ? 'running' : outcome),
    result: (_id, options) =>
      outcome === 'hang'
        ? new Promise((_resolve, reject) =>
            options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
          )
        : outcome === 'succeeded'
          ? Promise.resolve({ celsius: 21 })
          : Promise.reject(new Error('failed')),
    cancel: async (id) => {
      cancelled.push(id);
      return view(id, 'cancelled');
    },
  };
  return { connection, submitted, cancelled };
}

describe('orchestrationMcpTools', () => {
  it('lists the services (non-object inputs wrapped) and the three orchestration tools', async () => {
    const tools = await orchestrationMcpTools(standIn('succeeded').connection).tools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'weather',
      'shout',
      'pager',
      'baton_orchestrate',
      'baton_orchestration',
      'baton_cancel_orchestration',
    ]);
    expect(tools[0]?.annotations).toEqual({ readOnlyHint: true });
    expect(tools[1]?.inputSchema).toEqual({
      type: 'object',
      properties: { input: { type: 'string' } },
      required: ['input'],
    });
  });

  it('runs a service as a one-step orchestration whose output is the result', async () => {
    const { connection, submitted } = standIn('succeeded');
    const result = await orchestrationMcpTools(connection).call(
      'weather',
      { city: 'Paris' },
      new AbortController().signal,
    );
    expect(result).toEqual({ content: [{ type: 'text', text: '{"celsius":21}' }], structuredContent: { celsius: 21 } });
    expect(submitted).toEqual([
      {
        action: 'Call the weather service',
        data: { city: 'Paris' },
        plan: {
          steps: [{ id: 'call', target: 'weather', input: { $ref: 'request.data' } }],
          output: { $ref: 'steps.call.output' },
        },
      },
    ]);
  });

  it('refuses arguments the service would refuse as a tool error naming each problem, starting no orchestration', async () => {
    const { connection, submitted } = standIn('succeeded');
    const result = await orchestrationMcpTools(connection).call(
      'weather',
      { town: 'Lisbon' },
      new AbortController().signal,
    );
    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: `validation-failed: invalid arguments for tool "weather": arguments.city: must have required property 'city' (given: town)`,
        },
      ],
      isError: true,
    });
    expect(submitted).toEqual([]);
  });

  it('answers a call of a service with no connected instance at once, starting no orchestration', async () => {
    const { connection, submitted } = standIn('hang');
    const result = await orchestrationMcpTools(connection).call('pager', {}, new AbortController().signal);
    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'service pager has no connected instance: start it, or wait for it to reconnect, and call again',
        },
      ],
      isError: true,
    });
    expect(submitted).toEqual([]);
  });

  it('runs a plan given without an action, naming it as baton run --plan does; refuses a call with neither', async () => {
    const { connection, submitted } = standIn('succeeded');
    const tools = orchestrationMcpTools(connection);
    const plan = { steps: [{ id: 'call', target: 'weather', input: { city: 'Oslo' } }] };
    const result = await tools.call('baton_orchestrate', { plan }, new AbortController().signal);
    expect(result?.isError).toBeUndefined();
    expect(submitted).toEqual([{ action: 'Run the given plan', plan }]);
    const neither = await tools.call('baton_orchestrate', { wait: false }, new AbortController().signal);
    expect(neither).toMatchObject({ isError: true });
    expect(neither?.content[0]).toMatchObject({
      text: expect.stringContaining('give action (what to do, in words) or plan'),
    });
    expect(submitted).toHaveLength(1);
  });

  it('reports a failed orchestration as an isError result naming it, with its view', async () => {
    const result = await orchestrationMcpTools(standIn('failed').connection).call(
      'baton_orchestrate',
      { action: 'Check the weather' },
      new AbortController().signal,
    );
    expect(result).toMatchObject({
      isError: true,
      content: [{ text: 'orchestration orc_1 failed: the service is down' }],
      structuredContent: { id: 'orc_1', status: 'failed' },
    });
  });

  it('does not wait when asked not to, and cancels the orchestration when the MCP caller gives up', async () => {
    const { connection, cancelled } = standIn('hang');
    const tools = orchestrationMcpTools(connection);
    const started = await tools.call(
      'baton_orchestrate',
      { action: 'Later', wait: false },
      new AbortController().signal,
    );
    expect(started?.structuredContent).toEqual({ id: 'orc_1', status: 'running' });
    const controller = new AbortController();
    const call = tools.call('weather', { city: 'Oslo' }, controller.signal);
    controller.abort();
    expect(await call).toMatchObject({ isError: true });
    expect(cancelled).toEqual(['orc_1']);
    expect(await tools.call('unknown', {}, controller.signal)).toBeUndefined();
  });
});
