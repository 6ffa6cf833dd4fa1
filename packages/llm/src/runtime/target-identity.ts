/**
 * What names a function or graph in the cache's keys when the config gives no `name`. The default store is a file
 * shared by every enhanced target of a project and kept between runs, so two different unnamed functions must not
 * share answers: the key is the function's name with a hash of its source (a graph: of its nodes' code and edges).
 * Changing the code therefore starts a fresh set of answers. Closures with the same source but different captured
 * values cannot be told apart: give each its own `name`.
 */
import { createHash } from 'node:crypto';

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

// biome-ignore lint/complexity/noBannedTypes: any function is named by its source.
export function functionIdentity(fn: Function): string {
  return `${fn.name || 'function'}#${shortHash(fn.toString())}`;
}

interface GraphBuilder {
  nodes?: Record<string, { runnable?: { func?: unknown } }>;
  allEdges?: Iterable<unknown>;
}

export function graphIdentity(target: object): string {
  const graph = target as { name?: unknown; builder?: unknown };
  const builder = (graph.builder ?? {}) as GraphBuilder;
  const nodes = Object.entries(builder.nodes ?? {}).map(([name, node]) => [name, String(node.runnable?.func ?? '')]);
  const edges = [...(builder.allEdges ?? [])].map((edge) => JSON.stringify(edge)).sort();
  const name = typeof graph.name === 'string' && graph.name !== '' ? graph.name : 'graph';
  return `${name}#${shortHash(JSON.stringify({ nodes, edges }))}`;
}
