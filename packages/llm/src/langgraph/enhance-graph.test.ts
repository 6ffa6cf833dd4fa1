import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { Annotation, END, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enhance } from '../enhance.js';
import { temporaryWorkingDirectory } from '../testing/temporary-working-directory.js';

/** Each test gets its own working directory, so the default store (`.baton/cache.db`) starts empty there. */
const workingDirectory = temporaryWorkingDirectory();
beforeEach(workingDirectory.enter);
afterEach(workingDirectory.leave);

function questionGraph() {
  const runs: string[] = [];
  const State = Annotation.Root({ question: Annotation<string>, answer: Annotation<string> });
  const graph = new StateGraph(State)
    .addNode('lookup', async (state) => {
      runs.push(state.question);
      return { answer: `answer to: ${state.question}` };
    })
    .addNode('polish', async (state) => ({ answer: `${state.answer}!` }))
    .addEdge(START, 'lookup')
    .addEdge('lookup', 'polish')
    .addEdge('polish', END)
    .compile();
  return { graph, runs };
}

describe('enhance(LangGraph compiled graph)', () => {
  it('answers a repeated and a paraphrased invoke from the cache, keyed on the input state', async () => {
    const { graph, runs } = questionGraph();
    const enhanced = enhance(graph, { name: 'faq-graph' });
    const first = await enhanced.invoke({ question: 'How much does the premium plan cost?' });
    expect(first).toEqual({
      question: 'How much does the premium plan cost?',
      answer: 'answer to: How much does the premium plan cost?!',
    });
    expect(await enhanced.invoke({ question: 'How much does the premium plan cost?' })).toEqual(first);
    expect(await enhanced.invoke({ question: 'What is the price of the premium plan?' })).toEqual(first);
    expect(runs).toHaveLength(1);
    await enhanced.invoke({ question: 'What is the weather in Paris today?' });
    await enhanced.invoke({ question: 'What is the weather in London today?' });
    expect(runs).toHaveLength(3);
    expect(enhanced.getMetrics()).toMatchObject({ calls: 5, hits: { exact: 1, semantic: 1 }, misses: 3 });
  });

  it('replays a cached stream chunk for chunk, separately per stream mode', async () => {
    const { graph, runs } = questionGraph();
    const enhanced = enhance(graph);
    const collect = async (streamMode: 'updates' | 'values') => {
      const chunks: unknown[] = [];
      for await (const chunk of await enhanced.stream({ question: 'Explain circuit breakers' }, { streamMode })) {
        chunks.push(chunk);
      }
      return chunks;
    };
    const live = await collect('updates');
    expect(live).toEqual([
      { lookup: { answer: 'answer to: Explain circuit breakers' } },
      { polish: { answer: 'answer to: Explain circuit breakers!' } },
    ]);
    expect(await collect('updates')).toEqual(live);
    expect(runs).toHaveLength(1);
    const values = await collect('values');
    expect(values).toHaveLength(3);
    expect(runs).toHaveLength(2);
  });

  it('keeps checkpointer threads apart and passes other properties through', async () => {
    const { graph, runs } = questionGraph();
    const enhanced = enhance(graph);
    await enhanced.invoke({ question: 'What is my order status?' }, { configurable: { thread_id: 'a' } });
    await enhanced.invoke({ question: 'What is my order status?' }, { configurable: { thread_id: 'b' } });
    await enhanced.invoke({ question: 'What is my order status?' }, { configurable: { thread_id: 'a' } });
    expect(runs).toHaveLength(2);
    expect(enhanced.getGraph().nodes).toHaveProperty('lookup');
  });

  it('never answers a thread a checkpointer keeps from the cache: the turn must reach the thread', async () => {
    let runs = 0;
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('chat', async (state) => {
        runs++;
        return { messages: [new AIMessage(`history=${state.messages.length}`)] };
      })
      .addEdge(START, 'chat')
      .addEdge('chat', END)
      .compile({ checkpointer: new MemorySaver() });
    const enhanced = enhance(graph);
    const thread = { configurable: { thread_id: 'one' } };
    await enhanced.invoke({ messages: [new HumanMessage('Hello there')] }, thread);
    const first = await enhanced.invoke({ messages: [new HumanMessage('What did I say?')] }, thread);
    const again = await enhanced.invoke({ messages: [new HumanMessage('What did I say?')] }, thread);
    expect(runs).toBe(3);
    expect(first.messages.at(-1)?.content).toBe('history=3');
    expect(again.messages.at(-1)?.content).toBe('history=5');
    expect((await graph.getState(thread)).values.messages).toHaveLength(6);
    expect(enhanced.getMetrics()).toMatchObject({ calls: 3, bypasses: 3 });
  });

  it('restores LangChain messages in a cached messages state', async () => {
    let runs = 0;
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('chat', async (state) => {
        runs++;
        return { messages: [new AIMessage(`echo: ${state.messages.at(-1)!.content}`)] };
      })
      .addEdge(START, 'chat')
      .addEdge('chat', END)
      .compile();
    const enhanced = enhance(graph);
    const first = await enhanced.invoke({ messages: [new HumanMessage('How do I reset my password?')] });
    const second = await enhanced.invoke({ messages: [new HumanMessage('How do I reset my password?')] });
    expect(runs).toBe(1);
    expect(second.messages.map((m) => m.constructor.name)).toEqual(['HumanMessage', 'AIMessage']);
    expect(second.messages[1]!.content).toBe(first.messages[1]!.content);
  });
});
