/**
 * How `baton run "<words>"` shows planning, line by line, against a stand-in that answers with fixed times and
 * figures (202 with status `planning` and no plan, then `orchestration-planned` or `planning-failed` on the event
 * stream). `run-words.test.ts` runs the same against the real server.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBaton, sendJson, startContractServer } from '../cli-test-kit.js';

const AT = '2026-01-01T00:00:00.000Z';
const PLAN = { steps: [{ id: 'w', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] };
const PLANNING = {
  planner: 'template',
  template: 'weather',
  example: "What's the weather in {city}?",
  similarity: 0.9312,
  usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
};
const FAILED_PLANNING = {
  planner: 'llm',
  model: 'local-model',
  attempts: [
    {
      attempt: 1,
      outcome: 'invalid',
      problems: [{ path: 'steps[0].target', code: 'unknown-target', message: 'no service "teleport"' }],
      usage: { inputTokens: 300, outputTokens: 40, costUsd: 0.0002 },
      durationMs: 1200,
    },
  ],
  usage: { inputTokens: 300, outputTokens: 40, costUsd: 0.0002 },
};

const event = (type: string, data: unknown, id: string, stepId: string | null = null) =>
  `event: ${type}\nid: ${id}\ndata: ${JSON.stringify({ type, orchestrationId: 'orc_words', stepId, at: AT, data })}\n\n`;

function stream(response: ServerResponse, frames: string[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(frames.join(''));
}

let failing = false;
let contract: Awaited<ReturnType<typeof startContractServer>>;
let home: string;

beforeAll(async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  home = await mkdtemp(join(tmpdir(), 'baton-cli-words-'));
  contract = await startContractServer({
    'POST /v1/orchestrations': (_request, response) =>
      sendJson(response, 202, { id: 'orc_words', status: 'planning', plan: null, parallelGroups: [] }),
    'GET /v1/orchestrations/:id/events': (_request, response) =>
      failing
        ? stream(response, [
            event(
              'planning-failed',
              { error: { message: 'no valid plan after 1 attempt' }, planning: FAILED_PLANNING },
              '0.0',
            ),
          ])
        : stream(response, [
            event('orchestration-planned', { plan: PLAN, parallelGroups: [['w']], planning: PLANNING }, '0.0'),
            event('run-start', {}, '0.1'),
            event('step-finish', { service: 'weather@1', attempts: 1, output: { celsius: 21 } }, '0.2', 'w'),
            event('run-finish', { output: { w: { celsius: 21 } } }, '0.3'),
          ]),
    'GET /v1/orchestrations/:id': (_request, response) =>
      sendJson(response, 200, {
        id: 'orc_words',
        action: { content: 'What is the weather in Paris?' },
        status: failing ? 'failed' : 'succeeded',
        plan: failing ? null : PLAN,
        planning: failing ? FAILED_PLANNING : PLANNING,
        parallelGroups: failing ? [] : [['w']],
        steps: failing
          ? []
          : [
              {
                id: 'w',
                status: 'succeeded',
                service: 'weather@1',
                attempts: 1,
                startedAt: AT,
                finishedAt: AT,
                error: null,
                usage: {},
              },
            ],
        ...(failing ? {} : { result: { w: { celsius: 21 } } }),
        error: failing ? { code: 'planning-failed', message: 'no valid plan after 1 attempt' } : null,
        usage: {},
        retries: 0,
        createdAt: AT,
        updatedAt: AT,
        finishedAt: AT,
      }),
  });
});

afterAll(async () => {
  await contract.close();
  const { rm } = await import('node:fs/promises');
  await rm(home, { recursive: true, force: true });
});

const baton = (args: string[]) =>
  runBaton(args, { home, env: { BATON_URL: contract.url, BATON_API_KEY: 'bk_contract' } });

describe('baton run "<words>" (planning in words, by contract)', () => {
  it('says it is planning, then shows how the plan was chosen and its tree, follows it and prints the result', async () => {
    failing = false;
    const result = await baton(['run', 'What is the weather in Paris?', '-d', 'city=Paris', '--wait']);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      'Orchestration orc_words planning',
      'Planning "What is the weather in Paris?"…',
      'Planned by: template "weather" (similarity 0.931, example "What\'s the weather in {city}?")',
      'Plan: 1 step in 1 parallel group',
      '└─ group 1',
      '   └─ w  → weather',
      'step w done (weather@1)',
      'Orchestration orc_words succeeded in 0ms. Result:',
      '{',
      '  "w": {',
      '    "celsius": 21',
      '  }',
      '}',
    ]);
    expect(contract.requests.find((request) => request.method === 'POST')?.body).toEqual({
      action: { content: 'What is the weather in Paris?' },
      data: { city: 'Paris' },
    });
  });

  it('an action that could not be planned: exit 7, one line saying so; inspect shows every attempt', async () => {
    failing = true;
    const result = await baton(['run', 'Teleport me to Paris', '--wait']);
    expect(result.code).toBe(7);
    expect(result.stderr).toBe(
      'baton: orchestration orc_words could not be planned: no valid plan after 1 attempt (baton inspect orc_words shows every attempt)\n',
    );
    const inspected = await baton(['inspect', 'orc_words']);
    expect(inspected.stdout).toContain(
      'Planned by: model local-model in 1 attempt (340 tokens, $0.000200)\n  attempt 1: invalid (1.2s, 340 tokens, $0.000200) — steps[0].target: no service "teleport"\nPlan: none (it could not be made)',
    );
  });
});
