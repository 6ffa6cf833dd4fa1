import { describe, expect, it } from 'vitest';
import { findCycles, findNeverRuns, type GraphNode, parallelLayers, topologicalOrder } from './plan-graph.js';

/** Builds nodes from `id: deps` pairs; ids are their indexes' letters. */
function graph(spec: Record<string, string[]>, extra: Record<string, Partial<GraphNode>> = {}): GraphNode[] {
  const ids = Object.keys(spec);
  return ids.map((id) => ({
    id,
    deps: (spec[id] ?? []).map((d) => ids.indexOf(d)),
    trigger: 'all',
    neverByCondition: false,
    ...extra[id],
  }));
}

const names = (nodes: GraphNode[], groups: number[][]) => groups.map((g) => g.map((i) => nodes[i]?.id));

describe('findCycles', () => {
  it('finds none in a DAG', () => {
    expect(findCycles(graph({ a: [], b: ['a'], c: ['a', 'b'] }))).toEqual([]);
  });

  it('finds each strongly connected component, self-loops included', () => {
    const nodes = graph({ a: ['c'], b: ['a'], c: ['b'], d: ['d'], e: ['a'], f: ['g'], g: ['f'] });
    expect(names(nodes, findCycles(nodes))).toEqual([['a', 'b', 'c'], ['d'], ['f', 'g']]);
  });

  it('handles a very deep chain without overflowing the stack', () => {
    const nodes: GraphNode[] = Array.from({ length: 50_000 }, (_, i) => ({
      id: `s${i}`,
      deps: i === 0 ? [49_999] : [i - 1],
      trigger: 'all',
      neverByCondition: false,
    }));
    const cycles = findCycles(nodes);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(50_000);
  });
});

describe('parallelLayers', () => {
  it('groups a diamond', () => {
    const nodes = graph({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] });
    expect(names(nodes, parallelLayers(nodes))).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('places a step one layer below its deepest dependency', () => {
    const nodes = graph({ a: [], b: ['a'], c: ['b'], d: ['a'], e: ['c', 'd'], f: [] });
    expect(names(nodes, parallelLayers(nodes))).toEqual([['a', 'f'], ['b', 'd'], ['c'], ['e']]);
  });

  it('topologicalOrder leaves out steps on or behind a cycle', () => {
    const nodes = graph({ a: [], b: ['c'], c: ['b'], d: ['b'] });
    expect(topologicalOrder(nodes).map((i) => nodes[i]?.id)).toEqual(['a']);
  });
});

describe('findNeverRuns', () => {
  const reasons = (nodes: GraphNode[]) =>
    Object.fromEntries([...findNeverRuns(nodes)].map(([i, reason]) => [nodes[i]?.id, reason]));

  it('propagates a constant-false condition to dependents with trigger all', () => {
    const nodes = graph({ a: [], b: ['a'], c: ['b'], d: [] }, { a: { neverByCondition: true } });
    expect(reasons(nodes)).toEqual({
      a: 'its "when" condition is always false',
      b: 'it needs "a", which can never run',
      c: 'it needs "b", which can never run',
    });
  });

  it('trigger any runs unless every dependency can never run', () => {
    const nodes = graph(
      { a: [], b: [], c: ['a', 'b'], d: ['a'] },
      { a: { neverByCondition: true }, c: { trigger: 'any' }, d: { trigger: 'any' } },
    );
    expect(Object.keys(reasons(nodes))).toEqual(['a', 'd']);
    const both = graph(
      { a: [], b: [], c: ['a', 'b'] },
      { a: { neverByCondition: true }, b: { neverByCondition: true }, c: { trigger: 'any' } },
    );
    expect(reasons(both).c).toBe('it needs "a", "b", which can never run');
  });

  it('marks steps behind a cycle', () => {
    const nodes = graph({ a: ['b'], b: ['a'], c: ['a'] });
    expect(reasons(nodes)).toEqual({
      a: 'it depends on a cycle',
      b: 'it depends on a cycle',
      c: 'it depends on a cycle',
    });
  });
});
