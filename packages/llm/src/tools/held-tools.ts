/**
 * The tools a search holds, by name in the order they were added, with their vectors and the kinds of values their
 * parameters take; and the same as dense arrays (one Float32Array of all vectors), rebuilt only after a change, which
 * a search reads in tight loops rather than a map entry a tool.
 */
import type { SearchableTool } from './searchable-tool.js';
import { type ToolNamespaces, toolNamespaces } from './tool-namespaces.js';

export interface HeldTool {
  tool: SearchableTool;
  vector: Float32Array;
  /** The kinds of values its parameters take, as `valueKindMask`. */
  takes: number;
}

export interface DenseTools {
  entries: HeldTool[];
  /** A tool's index in `entries` by name. */
  position: Map<string, number>;
  /** Every tool's vector, one after another. */
  vectors: Float32Array;
  dimension: number;
  takes: Int32Array;
  /** Each distinct `takes` once: what a request's values can lift at most is read off these. */
  distinctTakes: number[];
  /** The products the tools are named after (`redis` of `redis_get`), by each tool's place. */
  namespaces: ToolNamespaces;
}

export class HeldTools {
  readonly #byName = new Map<string, HeldTool>();
  #dense: DenseTools | undefined;

  get size(): number {
    return this.#byName.size;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  tools(): SearchableTool[] {
    return [...this.#byName.values()].map((entry) => entry.tool);
  }

  set(name: string, held: HeldTool): void {
    this.#byName.set(name, held);
    this.#dense = undefined;
  }

  delete(name: string): boolean {
    const deleted = this.#byName.delete(name);
    if (deleted) this.#dense = undefined;
    return deleted;
  }

  dense(): DenseTools {
    this.#dense ??= denseTools([...this.#byName.values()]);
    return this.#dense;
  }
}

function denseTools(entries: HeldTool[]): DenseTools {
  const dimension = entries[0]?.vector.length ?? 0;
  const vectors = new Float32Array(entries.length * dimension);
  const takes = new Int32Array(entries.length);
  const position = new Map<string, number>();
  entries.forEach((entry, i) => {
    vectors.set(entry.vector, i * dimension);
    takes[i] = entry.takes;
    position.set(entry.tool.name, i);
  });
  const namespaces = toolNamespaces(entries.map((entry) => entry.tool.name));
  return { entries, position, vectors, dimension, takes, distinctTakes: [...new Set(takes)], namespaces };
}
