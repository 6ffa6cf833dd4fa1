import { Annotation, END, START, StateGraph } from '@langchain/langgraph';

/**
 * The three graph shapes the engine benchmark runs on both Baton and LangGraph.js: a chain, a fan-out with a join,
 * and a layered DAG. Each node adds one to a number, so both sides do the same trivial work per step.
 */

export interface Shape {
  name: string;
  /** Node ids in topological order with the ids each waits for. */
  nodes: { id: string; deps: string[] }[];
}

export function chain(length: number): Shape {
  return {
    name: `chain-${length}`,
    nodes: Array.from({ length }, (_, i) => ({ id: `s${i}`, deps: i === 0 ? [] : [`s${i - 1}`] })),
  };
}

export function fanout(width: number): Shape {
  const branches = Array.from({ length: width }, (_, i) => ({ id: `b${i}`, deps: ['root'] }));
  return {
    name: `fanout-${width}`,
    nodes: [{ id: 'root', deps: [] }, ...branches, { id: 'join', deps: branches.map((b) => b.id) }],
  };
}

/** `layers` × `width` nodes; each waits for two nodes of the layer before it. */
export function layeredDag(layers: number, width: number): Shape {
  const nodes: Shape['nodes'] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < width; i++) {
      const deps = layer === 0 ? [] : [`l${layer - 1}n${i}`, `l${layer - 1}n${(i + 1) % width}`];
      nodes.push({ id: `l${layer}n${i}`, deps });
    }
  }
  return { name: `dag-${layers * width}`, nodes };
}

/** The same shape as a LangGraph.js StateGraph whose nodes add one to `x`; compile it with or without a checkpointer. */
export function langgraphOf(shape: Shape) {
  const State = Annotation.Root({
    x: Annotation<number>({ reducer: (_old, next) => next, default: () => 0 }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: node names are dynamic, which LangGraph's types do not model.
  const graph: any = new StateGraph(State);
  for (const node of shape.nodes) graph.addNode(node.id, (state: { x: number }) => ({ x: state.x + 1 }));
  const dependents = new Set(shape.nodes.flatMap((n) => n.deps));
  for (const node of shape.nodes) {
    if (node.deps.length === 0) graph.addEdge(START, node.id);
    else graph.addEdge(node.deps.length === 1 ? node.deps[0] : node.deps, node.id);
    if (!dependents.has(node.id)) graph.addEdge(node.id, END);
  }
  return graph as {
    compile(options?: { checkpointer?: unknown }): { invoke(input: unknown, config?: unknown): Promise<unknown> };
  };
}
