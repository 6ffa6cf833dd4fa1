/**
 * One idempotency key held by engines on separate connections to one store (as separate processes would be): the
 * handler runs once, every caller gets the first result, and a claim whose holder died is taken over once it lapses.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine/engine.js';
import type { Plan } from '../plan/plan.js';
import { createRegistry, type Registry } from '../registry/registry.js';
import { createMemoryStore } from '../storage/create-memory-store.js';
import { openStore } from '../storage/open-store.js';
import type { RunStore } from '../storage/run-store.js';
import { createStoreIdempotencyStore } from './durable-idempotency.js';
import { eventually, intercept } from './durable-test-kit.js';

const POSTGRES_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const pay: Plan = {
  steps: [
    {
      id: 'pay',
      target: 'charge',
      input: { orderId: { $ref: 'request.orderId' } },
      policy: { idempotencyKey: 'charge-{{request.orderId}}', retry: false },
    },
  ],
  output: { $ref: 'steps.pay.output' },
};

interface Location {
  name: string;
  open(): Promise<RunStore>;
  dispose(): Promise<void>;
}

function sqliteLocation(): Location {
  const url = join(mkdtempSync(join(tmpdir(), 'baton-claims-')), 'baton.db');
  return { name: 'SQLite', open: () => openStore({ url, pollIntervalMs: 10 }), dispose: async () => {} };
}

/** One memory store; each open is another store on its tables, as each engine process opens its own connection. */
function memoryLocation(): Location {
  const store = createMemoryStore();
  return { name: 'memory', open: async () => store.share(), dispose: () => store.close() };
}

function postgresLocation(): Location {
  const schema = `baton_c_${randomBytes(6).toString('hex')}`;
  return {
    name: 'PostgreSQL',
    open: () => openStore({ url: POSTGRES_URL, schema, poolSize: 3 }),
    async dispose() {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
    },
  };
}

for (const makeLocation of [sqliteLocation, memoryLocation, postgresLocation]) {
  const location = makeLocation();
  describe(`one idempotency key held by two engines on ${location.name}`, () => {
    const stores: RunStore[] = [];
    const engines: Engine[] = [];
    afterEach(async () => {
      for (const engine of engines.splice(0)) await engine.close();
      for (const store of stores.splice(0)) await store.close();
    });

    /** A `charge` target that waits for `release` and records each call. */
    function charging() {
      const charged: string[] = [];
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const registry = createRegistry();
      registry.register({
        name: 'charge',
        description: 'Charges a card once per order',
        handler: async (input: { orderId: string }, ctx) => {
          charged.push(`${input.orderId}@${ctx.idempotencyKey}`);
          await released;
          return { receipt: `r-${input.orderId}-${charged.length}` };
        },
      });
      return { charged, release: () => release(), registry };
    }

    async function engineOn(registry: Registry, engineId: string, claimLeaseMs = 30_000, onHeld = () => {}) {
      const opened = await location.open();
      stores.push(opened);
      // Tells the test when this engine found the key held by another and started waiting for its result.
      const store = intercept(opened, 'claimIdempotent', (claim) => async (...args) => {
        const outcome = await claim(...args);
        if (outcome.state === 'held') onHeld();
        return outcome;
      });
      const idempotency = createStoreIdempotencyStore(store, { owner: engineId, claimLeaseMs });
      const engine = createEngine({ registry, store, engineId, idempotency, onError: () => {} });
      engines.push(engine);
      return { engine, store };
    }

    it('calls the handler once and gives both callers, and the store, the first result', async () => {
      const { charged, release, registry } = charging();
      let bWaits = () => {};
      const waiting = new Promise<void>((resolve) => {
        bWaits = resolve;
      });
      const a = await engineOn(registry, 'a');
      const b = await engineOn(registry, 'b', 30_000, () => bWaits());
      const first = a.engine.run(pay, { orderId: '42' }).result();
      await eventually(() => charged.length === 1);
      const second = b.engine.run(pay, { orderId: '42' }).result();
      // b waits on a's claim rather than charging again (without claims it charged at once).
      await Promise.race([waiting, eventually(() => charged.length === 2)]);
      release();
      const [one, two] = await Promise.all([first, second]);
      expect(one.output).toEqual({ receipt: 'r-42-1' });
      expect(two.output).toEqual({ receipt: 'r-42-1' });
      expect(two.steps.pay).toMatchObject({ reused: true, attempts: 0 });
      expect(charged).toHaveLength(1);
      expect(await b.store.getIdempotent('step:charge:charge-42')).toMatchObject({
        value: { output: { receipt: 'r-42-1' } },
      });
    });

    it('takes a key over when its holder died and its claim lapsed', async () => {
      const { charged, release, registry } = charging();
      release();
      const b = await engineOn(registry, 'b');
      // What a process that claimed the key and was then killed leaves behind.
      expect(await b.store.claimIdempotent('step:charge:charge-7', 'dead', 300, 60_000)).toEqual({
        state: 'claimed',
      });
      const result = await b.engine.run(pay, { orderId: '7' }).result();
      expect(result.output).toEqual({ receipt: 'r-7-1' });
      expect(charged).toHaveLength(1);
      expect(await b.store.getIdempotent('step:charge:charge-7')).toMatchObject({
        value: { output: { receipt: 'r-7-1' } },
      });
    });

    it('lets the next holder call the handler when the first call failed', async () => {
      const charged: number[] = [];
      const registry = createRegistry();
      registry.register({
        name: 'charge',
        description: 'Declines the first card',
        handler: () => {
          charged.push(charged.length + 1);
          if (charged.length === 1) throw new Error('card declined');
          return { receipt: `r-${charged.length}` };
        },
      });
      const a = await engineOn(registry, 'a');
      const b = await engineOn(registry, 'b');
      await expect(a.engine.run(pay, { orderId: '9' }).result()).rejects.toThrow(/card declined/);
      await eventually(
        async () => (await b.store.claimIdempotent('step:charge:charge-9', 'probe', 1, 1)).state === 'claimed',
      );
      await b.store.releaseIdempotent('step:charge:charge-9', 'probe');
      expect((await b.engine.run(pay, { orderId: '9' }).result()).output).toEqual({ receipt: 'r-2' });
    });
  });
  afterAll(() => location.dispose());
}
