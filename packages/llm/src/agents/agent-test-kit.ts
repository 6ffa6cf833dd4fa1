/**
 * For the agent tests: a recorded conversation the local chat server plays back — the answer to a request is chosen
 * by how many tool results it carries, so a step that resumes and replays earlier calls gets the same answers — and a
 * registry with counted tools.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createRegistry, type Registry } from '@baton/core';
import type { ChatBody, ChatToolCallsReply } from '../testing/openai-compatible-server.js';

/** The answer after n tool results is `script[n]` (the last one repeats). */
export const scripted =
  (script: readonly (string | ChatToolCallsReply)[]) =>
  (body: ChatBody): string | ChatToolCallsReply => {
    const results = body.messages.filter((message) => message.role === 'tool').length;
    return script[Math.min(results, script.length - 1)] as string | ChatToolCallsReply;
  };

export const chatModel = (baseURL: string, id: string) =>
  createOpenAICompatible({ name: 'local', baseURL, includeUsage: true }).chatModel(id);

/** `weather.forecast`, `weather.current` and `send-email`, each call counted in `calls`. */
export function toolRegistry(): { registry: Registry; calls: string[] } {
  const registry = createRegistry();
  const calls: string[] = [];
  registry.register({
    name: 'weather.forecast',
    description: 'Forecast for the next days in a city',
    input: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
    handler: (input: { city: string }) => {
      calls.push(`forecast:${input.city}`);
      return { city: input.city, tomorrow: 'rain' };
    },
  });
  registry.register({
    name: 'weather.current',
    description: 'Weather right now in a city',
    input: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
    handler: (input: { city: string }) => {
      calls.push(`current:${input.city}`);
      return { city: input.city, now: 'sun' };
    },
  });
  registry.register({
    name: 'send-email',
    description: 'Sends an email to an address',
    input: {
      type: 'object',
      required: ['to', 'body'],
      properties: { to: { type: 'string' }, body: { type: 'string' } },
    },
    handler: (input: { to: string }) => {
      calls.push(`email:${input.to}`);
      return { sent: true };
    },
  });
  return { registry, calls };
}
