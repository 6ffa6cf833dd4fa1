/**
 * Shared set-up for the durable engine tests: a fresh store (a SQLite file, or memory, whose stores share one set of
 * tables as connections share a file), engines on it, and targets that count calls.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../engine/engine.js';
import { createRegistry, type Registry } from '../registry/registry.js';
import { createMemoryStore } from '../storage/create-memory-store.js';
import { type OpenStoreOptions, openStore } from '../storage/open-store.js';
import type { RunStore } from '../storage/run-store.js';

/** Where the kit's runs live; the durable suites that hold for every store run on each. */
export type KitBackend = 'sqlite' | 'memory';

export const KIT_BACKENDS: readonly KitBackend[] = ['sqlite', 'memory'];

export interface Kit {
  /** The SQLite file, or `memory:`. */
  url: string;
  stores: RunStore[];
  engines: Engine[];
  calls: string[];
  undone: { step: string; payload: unknown; reason: string }[];
  /** Resolves the step `hold` waits on. */
  release: () => void;
  registry: Registry;
  /**
   * An engine on its own connection (`storeOptions` for it); `wrap` may intercept store calls (to simulate a crash
   * between two writes).
   */
  engine(
    options?: Partial<EngineOptions>,
    wrap?: (store: RunStore) => RunStore,
    storeOptions?: Omit<OpenStoreOptions, 'url'>,
  ): Promise<Engine>;
  /** Another connection to the same file, as another process would open. */
  store(): Promise<RunStore>;
  close(): Promise<void>;
}

export async function durableKit(backend: KitBackend = 'sqlite'): Promise<Kit> {
  const memory = backend === 'memory' ? createMemoryStore() : undefined;
  const url = memory === undefined ? join(mkdtempSync(join(tmpdir(), 'baton-durable-')), 'baton.db') : 'memory:';
  /** A new connection: to the file (with `storeOptions`), or another store on the same memory tables. */
  const open = async (storeOptions: Omit<OpenStoreOptions, 'url'>): Promise<RunStore> => {
    if (memory === undefined) return openStore({ url, pollIntervalMs: 10, ...storeOptions });
    if (Object.keys(storeOptions).length > 0) throw new Error('durableKit: store options apply to SQLite only');
    return memory.share();
  };
  const stores: RunStore[] = [];
  const engines: Engine[] = [];
  const calls: string[] = [];
  const undone: Kit['undone'] = [];
  let release = () => {};
  let held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const registry = createRegistry();
  registry.register({
    name: 'add',
    description: 'Adds one, and can undo it',
    handler: (input: { x: number }, ctx) => {
      calls.push(`add:${ctx.stepId}:${ctx.idempotencyKey}`);
      return { x: input.x + 1 };
    },
    compensate: (ctx) => {
      undone.push({ step: ctx.stepId, payload: ctx.payload, reason: ctx.reason.code });
    },
  });
  registry.register({
    name: 'hold',
    description: 'Waits until the test releases it',
    handler: async (input: { x: number }, ctx) => {
      calls.push(`hold:${ctx.stepId}:${ctx.idempotencyKey}`);
      await new Promise<void>((resolve, reject) => {
        void held.then(resolve);
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      });
      return { x: input.x + 100 };
    },
  });
  const kit: Kit = {
    url,
    stores,
    engines,
    calls,
    undone,
    get release() {
      return release;
    },
    registry,
    async engine(options = {}, wrap?: (store: RunStore) => RunStore, storeOptions = {}) {
      const opened = await open(storeOptions);
      stores.push(opened);
      const store = wrap ? wrap(opened) : opened;
      const engine = createEngine({
        registry,
        store,
        leaseMs: 300,
        parkAfterMs: 50,
        onError: () => {},
        onNotice: () => {},
        ...options,
      });
      engines.push(engine);
      return engine;
    },
    async store() {
      const opened = await open({});
      stores.push(opened);
      return opened;
    },
    async close() {
      for (const engine of engines) await engine.close();
      for (const store of stores) await store.close();
      await memory?.close();
      held = Promise.resolve();
      // The file's folder goes too: every durable test made one, and they piled up in the temporary directory.
      if (memory === undefined) await rm(dirname(url), { recursive: true, force: true });
    },
  };
  return kit;
}

/** A target whose effect cannot be undone: its compensation always throws. */
export const stubbornTarget = {
  name: 'stubborn',
  description: 'Cannot be undone',
  handler: () => ({ done: true }),
  compensate: () => {
    throw new Error('ledger is closed');
  },
};

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds or the time is up (then throws). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await delay(10);
  }
}

/** `store` with `method` replaced, the rest passed through: a store that "dies" at one call. */
export function intercept<K extends keyof RunStore>(
  store: RunStore,
  method: K,
  replacement: (original: RunStore[K]) => RunStore[K],
): RunStore {
  return new Proxy(store, {
    get: (target, name) => {
      const value = Reflect.get(target, name);
      const bound = typeof value === 'function' ? value.bind(target) : value;
      return name === method ? replacement(bound) : bound;
    },
  });
}
