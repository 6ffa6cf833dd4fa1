/**
 * Graph facts about a plan's steps: cycles (strongly connected components), parallel groups (steps that may run
 * together, by longest path from a root), and steps that can never run.
 */

export interface GraphNode {
  id: string;
  deps: readonly number[];
  trigger: 'all' | 'any';
  /** The step's `when` is a constant false. */
  neverByCondition: boolean;
}

/** Every cycle as the ids of its steps in index order; self-loops count. */
export function findCycles(nodes: readonly GraphNode[]): number[][] {
  const index = new Array<number>(nodes.length).fill(-1);
  const low = new Array<number>(nodes.length).fill(0);
  const onStack = new Array<boolean>(nodes.length).fill(false);
  const stack: number[] = [];
  const cycles: number[][] = [];
  let counter = 0;
  // Iterative Tarjan: plans can hold thousands of steps, deeper than the call stack allows.
  for (let start = 0; start < nodes.length; start++) {
    if (index[start] !== -1) continue;
    const work: [number, number][] = [[start, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1] as [number, number];
      const [v, edge] = frame;
      if (edge === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = true;
      }
      const deps = (nodes[v] as GraphNode).deps;
      if (edge < deps.length) {
        frame[1]++;
        const w = deps[edge] as number;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]] as number, low[v] as number);
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || deps.includes(v)) cycles.push(component.sort((a, b) => a - b));
      }
    }
  }
  return cycles;
}

/** Topological layers of an acyclic graph: layer = 1 + the deepest dependency's layer. */
export function parallelLayers(nodes: readonly GraphNode[]): number[][] {
  const layer = new Array<number>(nodes.length).fill(-1);
  const order = topologicalOrder(nodes);
  const layers: number[][] = [];
  for (const v of order) {
    let depth = 0;
    for (const d of (nodes[v] as GraphNode).deps) depth = Math.max(depth, (layer[d] as number) + 1);
    layer[v] = depth;
    const group = layers[depth] ?? [];
    group.push(v);
    layers[depth] = group;
  }
  return layers.map((group) => group.sort((a, b) => a - b));
}

/** Kahn's order; nodes on or behind a cycle are left out. */
export function topologicalOrder(nodes: readonly GraphNode[]): number[] {
  const remaining = nodes.map((n) => n.deps.length);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const d of n.deps) (dependents[d] as number[]).push(i);
  });
  const queue = nodes.flatMap((_, i) => (remaining[i] === 0 ? [i] : []));
  for (let head = 0; head < queue.length; head++) {
    for (const w of dependents[queue[head] as number] as number[]) {
      remaining[w] = (remaining[w] as number) - 1;
      if (remaining[w] === 0) queue.push(w);
    }
  }
  return queue;
}

/**
 * Steps that can never run, with why: a constant-false condition, or dependencies that can never succeed
 * (every one for trigger `any`, any one for `all`), or a dependency on a cycle.
 */
export function findNeverRuns(nodes: readonly GraphNode[]): Map<number, string> {
  const never = new Map<number, string>();
  const order = topologicalOrder(nodes);
  const reached = new Set(order);
  nodes.forEach((_node, i) => {
    if (!reached.has(i)) never.set(i, 'it depends on a cycle');
  });
  for (const v of order) {
    const node = nodes[v] as GraphNode;
    if (node.neverByCondition) {
      never.set(v, 'its "when" condition is always false');
      continue;
    }
    const blocked = node.deps.filter((d) => never.has(d));
    if (blocked.length === 0) continue;
    if (node.trigger === 'all' || blocked.length === node.deps.length) {
      const names = blocked.map((d) => `"${(nodes[d] as GraphNode).id}"`).join(', ');
      never.set(v, `it needs ${names}, which can never run`);
    }
  }
  return never;
}
