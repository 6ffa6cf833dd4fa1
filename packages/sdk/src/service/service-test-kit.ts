/**
 * Helpers for the service tests: a service connected to a fake server and stopped with the test, options that keep
 * a test service off the disk and reconnecting quickly, a recorder of its events, and a gate a handler can wait on.
 */
import { onTestFinished } from 'vitest';
import { createAgent, createService, type Service, type ServiceOptions } from './create-service.js';
import { type FakeServer, type FakeServerOptions, startFakeServer } from './fake-server-test-kit.js';
import { memoryInstanceStore } from './instance-store.js';
import type { SchemaOption } from './schema-validator.js';
import type { ServiceEvent } from './service-event.js';

export const testServiceOptions = () => ({
  instanceStore: memoryInstanceStore(),
  reconnect: { initialDelayMs: 5, maxDelayMs: 40 },
});

/**
 * Starts a fake server (key `secret`) and a service named `echo` registered with it; both are stopped when the test
 * finishes.
 */
export async function connectTestService<In extends SchemaOption, Out extends SchemaOption>(
  options: Partial<ServiceOptions<In, Out>> & Pick<ServiceOptions<In, Out>, 'handler'>,
  kind: 'service' | 'agent' = 'service',
  serverOptions: FakeServerOptions = {},
): Promise<{ server: FakeServer; service: Service }> {
  const server = await startFakeServer({ apiKey: 'secret', ...serverOptions });
  const create = kind === 'agent' ? createAgent : createService;
  const service = create({ name: 'echo', description: 'Echoes its input', ...testServiceOptions(), ...options });
  onTestFinished(async () => {
    await service.stop({ timeoutMs: 1_000 });
    await server.close();
  });
  await service.start({ url: server.url, apiKey: 'secret' });
  return { server, service };
}

export interface EventRecorder {
  events: ServiceEvent[];
  /** Resolves with the first event (already seen or future) that matches. */
  waitFor<T extends ServiceEvent['type']>(
    type: T,
    predicate?: (event: Extract<ServiceEvent, { type: T }>) => boolean,
  ): Promise<Extract<ServiceEvent, { type: T }>>;
  count(type: ServiceEvent['type']): number;
}

export function recordEvents(service: Service): EventRecorder {
  const events: ServiceEvent[] = [];
  const waiters: Array<{ test(event: ServiceEvent): boolean; resolve(event: ServiceEvent): void }> = [];
  service.subscribe((event) => {
    events.push(event);
    for (const waiter of waiters.splice(0)) {
      if (waiter.test(event)) waiter.resolve(event);
      else waiters.push(waiter);
    }
  });
  return {
    events,
    waitFor(type, predicate = () => true) {
      const test = (event: ServiceEvent) => event.type === type && predicate(event as never);
      const seen = events.find(test);
      if (seen) return Promise.resolve(seen as never);
      return new Promise((resolve) => waiters.push({ test, resolve: resolve as (event: ServiceEvent) => void }));
    },
    count: (type) => events.filter((event) => event.type === type).length,
  };
}

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
