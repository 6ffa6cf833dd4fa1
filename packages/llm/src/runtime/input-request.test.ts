import { HumanMessage } from '@langchain/core/messages';
import { Annotation, END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import type { EnhanceConfig } from '../config/enhance-config.js';
import { enhance } from '../enhance.js';
import { inputToRequest } from './input-request.js';

/** An enhanced function that answers with its arguments, counting the calls that reach it. */
function echo(config: EnhanceConfig = {}) {
  const calls: unknown[][] = [];
  const fn = enhance(
    async (...args: unknown[]) => {
      calls.push(args);
      return `answer to ${JSON.stringify(args)}`;
    },
    { store: 'memory', ...config },
  );
  return { fn, calls };
}

describe('enhance(function): what is matched semantically', () => {
  it('never serves one structured call for another: several arguments are matched exactly', async () => {
    const { fn, calls } = echo();
    const french = await fn('translate', 'hello to french');
    const spanish = await fn('translate', 'hello to spanish');
    expect(calls).toHaveLength(2);
    expect(spanish).not.toBe(french);
    expect(await fn('translate', 'hello to french')).toBe(french);
    expect(calls).toHaveLength(2);
  });

  it('never serves one object for another: an object argument is matched exactly', async () => {
    const { fn, calls } = echo();
    await fn({ item: 'coffee', size: 'large' });
    expect(await fn({ item: 'tea', size: 'large' })).toContain('tea');
    await fn({ question: 'How much does the premium plan cost?' });
    await fn({ question: 'What is the price of the premium plan?' });
    expect(calls).toHaveLength(4);
    await fn({ size: 'large', item: 'coffee' });
    expect(calls).toHaveLength(4);
  });

  it('never serves one ArrayBuffer, Map or Set argument for another (JSON makes each of them {})', async () => {
    const { fn, calls } = echo();
    await fn(new Uint8Array([1, 2]).buffer, 'size');
    await fn(new Uint8Array([2, 1]).buffer, 'size');
    await fn(new Map([['a', 1]]));
    await fn(new Map([['b', 1]]));
    await fn(new Set(['x']));
    await fn(new Set(['y']));
    expect(calls).toHaveLength(6);
    await fn(new Uint8Array([2, 1]).buffer, 'size');
    expect(calls).toHaveLength(6);
  });

  it('still matches a single string argument semantically', async () => {
    const { fn, calls } = echo();
    await fn('How much does the premium plan cost?');
    await fn('What is the price of the premium plan?');
    expect(calls).toHaveLength(1);
    expect(fn.getRecords()[1]).toMatchObject({ outcome: 'hit', tier: 'semantic' });
  });

  it('prompt: matches the text it picks semantically, and every other argument exactly', async () => {
    const { fn, calls } = echo({ prompt: (call) => (call.kind === 'function' ? (call.args[1] as string) : undefined) });
    await fn('support', 'How much does the premium plan cost?');
    await fn('support', 'What is the price of the premium plan?');
    expect(calls).toHaveLength(1);
    await fn('sales', 'What is the price of the premium plan?');
    expect(calls).toHaveLength(2);
  });

  it('prompt: a call it returns undefined for is matched exactly', async () => {
    const { fn, calls } = echo({ prompt: () => undefined });
    await fn('How much does the premium plan cost?');
    await fn('What is the price of the premium plan?');
    expect(calls).toHaveLength(2);
  });
});

describe('enhance(graph): what is matched semantically', () => {
  it('matches a state of several fields exactly, never embedding its JSON', async () => {
    const runs: string[] = [];
    const State = Annotation.Root({ item: Annotation<string>, size: Annotation<string>, answer: Annotation<string> });
    const graph = new StateGraph(State)
      .addNode('order', async (state) => {
        runs.push(state.item);
        return { answer: `${state.size} ${state.item}` };
      })
      .addEdge(START, 'order')
      .addEdge('order', END)
      .compile();
    const enhanced = enhance(graph, { store: 'memory' });
    await enhanced.invoke({ item: 'coffee', size: 'large' });
    expect((await enhanced.invoke({ item: 'tea', size: 'large' })).answer).toBe('large tea');
    expect(runs).toEqual(['coffee', 'tea']);
  });

  it('keys the other fields of a messages state exactly, next to the embedded last human turn', async () => {
    let runs = 0;
    const State = Annotation.Root({ ...MessagesAnnotation.spec, locale: Annotation<string> });
    const graph = new StateGraph(State)
      .addNode('chat', async () => {
        runs++;
        return {};
      })
      .addEdge(START, 'chat')
      .addEdge('chat', END)
      .compile();
    const enhanced = enhance(graph, { store: 'memory' });
    const ask = (text: string, locale: string) => enhanced.invoke({ messages: [new HumanMessage(text)], locale });
    await ask('How much does the premium plan cost?', 'fr');
    await ask('What is the price of the premium plan?', 'fr');
    expect(runs).toBe(1);
    await ask('How much does the premium plan cost?', 'de');
    expect(runs).toBe(2);
  });

  it('turns inputs into requests: exact-only unless there is one text', () => {
    const request = (input: unknown) => inputToRequest({ kind: 'graph', input, config: {} }, 'g', {}, undefined);
    expect(request({ item: 'coffee', size: 'large' })).toMatchObject({ exactOnly: true });
    expect(request({ question: 'why?' })).toMatchObject({ messages: [{ role: 'user', content: 'why?' }] });
    expect(request({ question: 'why?' }).exactOnly).toBeUndefined();
    expect(request([1, 2])).toMatchObject({ exactOnly: true, params: { input: [1, 2] } });
  });
});

describe('enhance(function): results JSON cannot carry', () => {
  it('returns bytes, Maps and Dates but never stores them, so no hit hands back {"0":…} or {}', async () => {
    let calls = 0;
    const fn = enhance(
      async (kind: string) => {
        calls++;
        if (kind === 'bytes') return new Uint8Array([1, 2]);
        if (kind === 'map') return new Map([['a', 1]]);
        return { at: new Date(0) };
      },
      { store: 'memory' },
    );
    for (const kind of ['bytes', 'map', 'date']) {
      const first = await fn(kind);
      const second = await fn(kind);
      expect(second).toEqual(first);
      expect(Object.getPrototypeOf(second)).toBe(Object.getPrototypeOf(first));
    }
    expect(calls).toBe(6);
    expect(fn.getRecords().filter((record) => record.reason?.includes('not-json'))).toHaveLength(6);
  });
});
