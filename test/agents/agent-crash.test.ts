/**
 * An agent in a real process on a SQLite file, through the real provider client to a local chat server with a
 * recorded conversation (a tool call, another, then the answer), SIGKILLed while its third model call is in flight:
 * a new process of the same engine resumes the run from its journal and repeats no finished model call and no tool
 * call — only the third model call, which never got its answer, is made again.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChatServer, startChatServer } from '@baton/llm/testing';
import { afterEach, expect, it } from 'vitest';
import { scripted } from '../../packages/llm/src/agents/agent-test-kit.js';
import { killChildren, spawnChild } from '../children/child-process.js';

const WORKER = fileURLToPath(new URL('./agent-worker.ts', import.meta.url));

let server: ChatServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await killChildren();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = dir = undefined;
});

/** Resolves once `check` holds, polling (no test outcome depends on how long that takes). */
async function until(check: () => boolean): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 3000) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('resumes an agent killed mid-call without repeating a finished model call or any tool call', async () => {
  server = await startChatServer({
    reply: scripted([
      { toolCalls: [{ name: 'weather_forecast', arguments: { city: 'Oslo' } }] },
      { toolCalls: [{ name: 'send-email', arguments: { to: 'ada@example.com' } }] },
      'Rain tomorrow; Ada knows.',
    ]),
  });
  const chat = server;
  dir = mkdtempSync(join(tmpdir(), 'baton-agent-crash-'));
  const invocations = join(dir, 'invocations.txt');
  const config = { storeUrl: join(dir, 'runs.db'), baseURL: chat.baseURL, invocations, engineId: 'agent-worker' };
  // Each answer is held until the next request has its own hold: the third request is the one left hanging.
  let release = chat.holdReplies();
  const first = spawnChild('first life', WORKER, { ...config, runId: 'run-1' });
  for (const request of [1, 2]) {
    await until(() => chat.calls === request);
    const answer = release;
    release = chat.holdReplies();
    answer();
  }
  await until(() => chat.calls === 3);
  await first.kill();
  release();
  const lines = () => (existsSync(invocations) ? readFileSync(invocations, 'utf8').trim().split('\n') : []);
  expect(lines()).toEqual([
    'weather.forecast {"city":"Oslo"} run-1:ask#tool-1-call_1',
    'send-email {"to":"ada@example.com"} run-1:ask#tool-2-call_2',
  ]);

  const second = spawnChild('second life', WORKER, config);
  await second.waitFor(/^finished /);
  expect(second.lines).toContain('finished "Rain tomorrow; Ada knows."');
  // One more request: the third model call again, exactly as first sent.
  expect(chat.calls).toBe(4);
  expect(chat.bodies[3]).toEqual(chat.bodies[2]);
  expect(lines()).toHaveLength(2);
  await second.kill();
});
