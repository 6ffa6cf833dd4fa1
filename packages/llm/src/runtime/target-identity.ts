/**
 * What names a function or graph in the cache's keys when the config gives no `name`. The default store is a file
 * shared by every enhanced target of a project and kept between runs, so two different unnamed functions must not
 * share answers: the key is the function's name with a hash of its source (a graph: of its nodes' code and edges).
 * Changing the code therefore starts a fresh set of answers. Closures with the same source but different captured
 * values cannot be told apart: give each its own `name`.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@baton/core';

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

// biome-ignore lint/complexity/noBannedTypes: any function is named by its source.
export function functionIdentity(fn: Function): string {
  return `${fn.name || 'function'}#${shortHash(fn.toString())}`;
}

/** Each unnamed function enhanced in this process, by identity and shared store: the first one to claim it. */
// biome-ignore lint/complexity/noBannedTypes: any function is named by its source.
const claimed = new Map<string, WeakRef<Function>>();

/**
 * The identity of an unnamed function kept in a store others share by its address (`where`: the default SQLite file,
 * a Redis URL), refusing a second function of the same source while the first lives: two closures made by one factory
 * (`(lang) => async (q) => …`) would otherwise share answers, the French for the German.
 */
// biome-ignore lint/complexity/noBannedTypes: any function is named by its source.
export function claimFunctionIdentity(fn: Function, where: string): string {
  const identity = functionIdentity(fn);
  const key = `${identity}\n${where}`;
  const holder = claimed.get(key)?.deref();
  if (holder !== undefined && holder !== fn) {
    throw new ValidationError('enhance() needs a name for this function', [
      {
        path: 'name',
        code: 'same-source',
        message: `another function with the same source (${fn.name || 'an unnamed function'}) keeps its answers in ${where} already; closures that differ only in what they capture would share them: give each its own name (enhance(fn, { name: 'translate-fr' }))`,
      },
    ]);
  }
  claimed.set(key, new WeakRef(fn));
  return identity;
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
