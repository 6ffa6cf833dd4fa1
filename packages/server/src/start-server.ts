/**
 * Starts a Baton server: opens the store (the engine's tables) and the server's tables in the same database, builds
 * the engine over a registry of the services that registered, takes over the runs that need an engine (after a
 * restart, or a dead replica's), and serves the HTTP API and the service socket on one port.
 *
 * @example
 * const server = await startServer({ databaseUrl: '.baton/server.db', port: 7400 });
 * if (server.adminToken) console.log('admin token (shown once):', server.adminToken);
 * // …
 * await server.close();
 */

import { setMaxListeners } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createSifEmbedder } from '@baton/cache';
import {
  createEngine,
  createRegistry,
  defaultEngineId,
  type Engine,
  openStore,
  parseStoreLocation,
  type StoreLocation,
} from '@baton/core';
import { LlmPlanner } from '@baton/llm';
import { WEBHOOK_EVENT_TYPES } from '@baton/protocol';
import { createAdaptorServer } from '@hono/node-server';
import { pino } from 'pino';
import { AdminToken, checkAdminTokenOption } from './auth/admin-token.js';
import { ApiKeys } from './auth/api-keys.js';
import { KeyHolds } from './auth/key-holds.js';
import { openServerDatabase } from './db/open-server-database.js';
import { lockSqliteDatabase } from './db/sqlite-server-lock.js';
import { newId } from './db/time-ordered-id.js';
import { createApp } from './http/create-app.js';
import { refuseLargeBodiesBeforeContinue } from './http/expect-continue.js';
import { RequestsInFlight } from './http/requests-in-flight.js';
import type { App } from './http/routes/app-env.js';
import type { ServerServices } from './http/routes/server-services.js';
import { SERVER_VERSION } from './http/routes/server-version.js';
import { ServerMetrics } from './observability/server-metrics.js';
import { BatchedOrchestrationWrites } from './orchestrations/batched-orchestration-writes.js';
import { DecisionQueries } from './orchestrations/decision-queries.js';
import { Orchestrations } from './orchestrations/orchestrations.js';
import { ProjectDecisions } from './orchestrations/project-decisions.js';
import { reuseTarget } from './orchestrations/reuse-target.js';
import { RunEventsHub } from './orchestrations/run-events-hub.js';
import { RunWatcher, type WebhookEvent } from './orchestrations/run-watcher.js';
import { PlanTemplates } from './planning/plan-templates.js';
import { ProjectPlanning } from './planning/project-planning.js';
import { Projects } from './projects/projects.js';
import { loadSecretKey, secretKeySource } from './secret-key.js';
import { checkSecretKey } from './secret-key-check.js';
import { type BatonServerOptions, DEFAULT_SERVER_DATABASE, type PlanningOptions } from './server-options.js';
import { InstancePresence } from './services/instance-presence.js';
import { ServiceCatalog } from './services/service-catalog.js';
import { unscopeText } from './services/target-name.js';
import { CHANNEL_RUN_ENDED, PostgresTaskQueue } from './socket/postgres-task-queue.js';
import { SocketGateway } from './socket/socket-gateway.js';
import { TaskDispatcher } from './socket/task-dispatcher.js';
import { createWebhooks } from './webhooks/index.js';
import type { LiveWebhook } from './webhooks/webhook-store.js';

/** How long `close()` lets held GETs answer and event streams end before it cuts the connections still open. */
const CLOSE_GRACE_MS = 2000;

export interface BatonServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** The admin token when this start generated it (print it once); undefined otherwise. */
  readonly adminToken: string | undefined;
  readonly replicaId: string;
  /** The HTTP app, for in-process requests (`app.request(...)`). */
  readonly app: App;
  /** The engine orchestrations run on (its targets are the services, by project-scoped names). */
  readonly engine: Engine;
  /**
   * Stops taking work, answers the GETs it holds with the orchestration as it stands and ends event streams (for up
   * to 2 s), hands running orchestrations back to the store (compensating ones too, their compensations stopped where
   * they are, for the next start to go on with), closes sockets and connections.
   */
  close(): Promise<void>;
}

export async function startServer(options: BatonServerOptions = {}): Promise<BatonServer> {
  const location = parseStoreLocation(options.databaseUrl ?? DEFAULT_SERVER_DATABASE);
  checkAdminTokenOption(options.adminToken);
  // One server per SQLite file (several on PostgreSQL are replicas): taken before anything is opened or written.
  const file = location.dialect === 'sqlite' && location.path !== ':memory:' ? location.path : undefined;
  const lock = file === undefined ? undefined : lockSqliteDatabase(file);
  const created = file !== undefined && !existsSync(file);
  try {
    const server = await startOn(location, options);
    lock?.setUrl(server.url);
    return {
      ...server,
      close: () => server.close().finally(() => lock?.release()),
    };
  } catch (error) {
    // A database this start created and could not serve (the port was taken) holds nothing: the next start creates it.
    if (created) removeSqliteFiles(file);
    lock?.release();
    throw error;
  }
}

/** Best effort: what could not be removed must not hide why the start failed. */
function removeSqliteFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      rmSync(`${path}${suffix}`, { force: true });
    } catch {
      // Left for the operator; the next start opens it as an existing database.
    }
  }
}

async function startOn(location: StoreLocation, options: BatonServerOptions): Promise<BatonServer> {
  const logger = options.logger === false ? pino({ enabled: false }) : (options.logger ?? pino({ level: 'info' }));
  const databaseUrl = options.databaseUrl ?? DEFAULT_SERVER_DATABASE;
  const secretKey = loadSecretKey(options.secretKey, location);
  const replicaId = options.replicaId ?? defaultEngineId();
  // Many runs at once: SQLite commits what they write in one turn together.
  const store = await openStore({ url: databaseUrl, groupCommit: true });
  const database = await openServerDatabase(location, { store }).catch(async (error) => {
    await store.close();
    throw error;
  });
  const { db } = database;
  await checkSecretKey(db, secretKey, secretKeySource(options.secretKey, location)).catch(async (error) => {
    await store.close();
    await database.close();
    throw error;
  });
  const admin = new AdminToken(db);
  await admin.load(options.adminToken);
  const apiKeys = new ApiKeys(db, database.dialect);
  const registry = createRegistry();
  registry.register(reuseTarget);
  const hub = new RunEventsHub();
  let watcher: RunWatcher | undefined;
  const dispatcher = new TaskDispatcher({
    graceMs: options.serviceGraceMs ?? 30_000,
    newId: () => newId('task'),
    onStatus: (status) => watcher?.onDispatchStatus(status),
  });
  const onError = (error: unknown) => logger.warn({ err: error }, 'background work failed');
  const queue =
    location.dialect === 'postgres'
      ? new PostgresTaskQueue({
          db,
          dispatcher,
          url: location.url,
          replicaId,
          graceMs: options.serviceGraceMs ?? 30_000,
          ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
          newId: () => newId('task'),
          onStatus: (status) => watcher?.onDispatchStatus(status),
          onRunEnded: (runId) => hub.publish({ type: 'run-ended', runId, stepId: null, at: Date.now(), data: null }),
          onError,
        })
      : undefined;
  const catalog = new ServiceCatalog(db, registry, queue ?? dispatcher);
  const metrics = new ServerMetrics({
    orchestrationsByStatus: async () => {
      const rows = await db
        .selectFrom('baton_server_orchestrations')
        .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy('status')
        .execute();
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
    },
    connectedInstances: () => dispatcher.allInstances().length,
    queueDepth: () => dispatcher.queueDepth,
    liveReplicas: () => presence?.liveReplicas ?? 1,
  });
  const webhooks = createWebhooks({
    db,
    dialect: database.dialect,
    masterKey: secretKey,
    allowPrivate: options.allowPrivateWebhooks ?? false,
    workerId: replicaId,
    eventTypes: WEBHOOK_EVENT_TYPES,
    ...(options.webhookRetryDelaysMs === undefined ? {} : { retryDelaysMs: options.webhookRetryDelaysMs }),
    ...(options.webhookPollIntervalMs === undefined ? {} : { pollIntervalMs: options.webhookPollIntervalMs }),
    onDelivery: (outcome) => metrics.webhookDeliveries.inc({ outcome: outcome.result }),
    logger,
  });
  /** An event for the project's webhooks, and for the orchestration's own webhook when it named one. */
  const enqueueWebhook = async (
    projectId: string,
    event: WebhookEvent,
    webhookId: string | null,
    live?: readonly LiveWebhook[],
  ) => {
    await webhooks.enqueue(projectId, event, live === undefined ? undefined : { live });
    if (webhookId !== null) await webhooks.enqueue(projectId, event, { webhookIds: [webhookId] });
  };
  const batchedWrites = queue === undefined ? undefined : new BatchedOrchestrationWrites(db, CHANNEL_RUN_ENDED);
  watcher = new RunWatcher({
    db,
    store,
    hub,
    metrics,
    enqueueWebhook,
    ...(batchedWrites === undefined ? {} : { runEndedChannel: CHANNEL_RUN_ENDED, batchedWrites }),
    onError,
  });
  const runWatcher = watcher;
  await catalog.sync();
  const engine = createEngine({
    registry,
    store,
    engineId: replicaId,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    onEvent: (event) => runWatcher.onEngineEvent(event),
    onError,
    onNotice: (notice) => logger.info({ notice }, 'engine notice'),
  });
  // Templates and the plan cache compare actions by the semantic cache's offline embedder (loaded on first use).
  const embedder = options.planning?.embedder ?? createSifEmbedder();
  const planTemplates = new PlanTemplates(db, embedder);
  const planning = new ProjectPlanning(
    catalog,
    planTemplates,
    embedder,
    options.planning?.model === undefined ? undefined : llmPlanner(options.planning.model, options.planning),
  );
  const orchestrations = new Orchestrations({
    db,
    engine,
    store,
    catalog,
    webhookFor: async (projectId, url) => (await webhooks.list(projectId)).find((hook) => hook.url === url)?.id,
    waitingSteps: (runId) => runWatcher.waitingSteps(runId),
    servedRevisions: (serviceId) => servedRevisions(dispatcher, serviceId),
    onRunStarting: (runId, orchestration) => runWatcher.remember(runId, orchestration),
    onRunNotStarted: (runId, error) => void runWatcher.failUnstarted(runId, error).catch(onError),
    endPlanning: (id, error, status) => runWatcher.endPlanning(id, error, status),
    onError,
    ...(batchedWrites === undefined ? {} : { batchedWrites }),
    planning,
    onPlanned: (orchestration, plan, decision) => {
      hub.publish({ type: 'planned', runId: orchestration.id, stepId: null, at: Date.now(), data: null });
      const event = {
        id: `${orchestration.id}:planned`,
        type: 'orchestration.planned',
        timestamp: Date.now(),
        data: { orchestrationId: orchestration.id, plan, planning: decision },
      };
      void enqueueWebhook(orchestration.projectId, event, orchestration.webhookId).catch(onError);
    },
  });
  const gateway = new SocketGateway({
    apiKeys,
    // A refusal names the service as its project knows it, not by the engine's project-scoped target name.
    register: (projectId, definition) =>
      catalog.register(projectId, definition).catch((error: unknown) => {
        throw new Error(unscopeText(projectId, error instanceof Error ? error.message : String(error)), {
          cause: error,
        });
      }),
    dispatcher,
    heartbeatMs: options.heartbeatMs ?? 10_000,
    logger,
    onConnectionsChanged: () => queue?.instancesChanged(),
  });
  const presence =
    queue === undefined
      ? undefined
      : new InstancePresence({ db, replicaId, local: () => dispatcher.allInstances(), onError });
  const closingRequests = new AbortController();
  // Every held answer and event stream listens on it.
  setMaxListeners(0, closingRequests.signal);
  const keyHolds = new KeyHolds();
  const services: ServerServices = {
    admin,
    apiKeys,
    projects: new Projects(db, apiKeys),
    catalog,
    dispatcher,
    presence,
    orchestrationPollMs: options.orchestrationPollMs ?? 1000,
    closing: closingRequests.signal,
    gateway,
    keyHolds,
    orchestrations,
    decisions: new ProjectDecisions(engine, new DecisionQueries(db, database.dialect)),
    planTemplates,
    hub,
    webhooks,
    engine,
    store,
    metrics,
    ready: async () => {
      const checks: Record<string, string> = {};
      await store.getRun('readiness-check').then(
        () => (checks.store = 'ok'),
        (error: unknown) => (checks.store = error instanceof Error ? error.message : String(error)),
      );
      await db
        .selectFrom('baton_server_projects')
        .select('id')
        .limit(1)
        .execute()
        .then(
          () => (checks.database = 'ok'),
          (error: unknown) => (checks.database = error instanceof Error ? error.message : String(error)),
        );
      return { ok: Object.values(checks).every((value) => value === 'ok'), checks };
    },
  };
  const bodyLimitBytes = options.bodyLimitBytes ?? 16 * 1024 * 1024;
  const app = createApp(services, {
    bodyLimitBytes,
    requestsPerSecond: options.requestsPerSecond ?? 1000,
    replicas: () => presence?.liveReplicas ?? 1,
    logger,
    version: SERVER_VERSION,
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as import('node:http').Server;
  refuseLargeBodiesBeforeContinue(server, bodyLimitBytes);
  // Idle keep-alive connections stay open longer than clients keep them (undici: 4 s), so a client never sends on a
  // connection the server is closing — also after a stretch of heavy work (a 10 MiB payload) delayed both sides' timers.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const requestsInFlight = new RequestsInFlight(server);
  // The gateway answers an upgrade to another path with a 404 problem, and a malformed one with a 400.
  server.on('upgrade', (request, socket, head) => void gateway.handleUpgrade(request, socket, head));
  await queue?.start();
  await engine.start();
  webhooks.start();
  presence?.start();
  await runWatcher.reconcile().catch(onError);
  // Planning left unfinished by a stop is taken up again: at once on SQLite (one server per file), on PostgreSQL once
  // it has not moved for longer than a planning may take (its replica may still be at it).
  const planningStaleMs = (options.planning?.timeoutMs ?? 60_000) + 30_000;
  await orchestrations.planningRuns.resume(database.dialect === 'sqlite' ? 0 : planningStaleMs).catch(onError);
  const timers = [
    setInterval(() => void catalog.sync().catch(onError), 2000),
    setInterval(() => void runWatcher.reconcile().catch(onError), 30_000),
    setInterval(() => void orchestrations.planningRuns.resume(planningStaleMs).catch(onError), 30_000),
    setInterval(() => void revokeClosedKeys(apiKeys, gateway, keyHolds).catch(onError), 5000),
  ];
  for (const timer of timers) timer.unref();
  /** Stops everything started here, in order; `listening` is the HTTP server's own close, when it listened. */
  const shutdown = async (listening: Promise<void> | undefined) => {
    for (const timer of timers) clearInterval(timer);
    await gateway.close();
    orchestrations.planningRuns.close();
    await engine.close();
    await queue?.close();
    dispatcher.close(new Error('the server is shutting down'));
    await webhooks.close();
    await presence?.close().catch(onError);
    await listening;
    await store.close();
    await database.close();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 7400, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (error) {
    // The port is taken (or not ours to take): give back everything started so far, so the process can end.
    await shutdown(undefined).catch(onError);
    throw error;
  }
  let closingServer: Promise<void> | undefined;
  const close = () => {
    closingServer ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Held GETs answer and event streams end; what is still being answered after a short grace is cut.
      closingRequests.abort();
      await requestsInFlight.settled(CLOSE_GRACE_MS);
      server.closeAllConnections();
      await shutdown(stopped);
    })();
    return closingServer;
  };
  // Generated only now that the port is ours: a start that cannot listen must not store a token nobody was shown.
  const generatedAdminToken = await admin.generateIfMissing().catch(async (error: unknown) => {
    await close().catch(onError);
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info(
    { url: `http://${host}:${address.port}`, replicaId, database: location.display },
    'baton server listening',
  );
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    adminToken: generatedAdminToken,
    replicaId,
    app,
    engine,
    close,
  };
}

/** The schema revisions of `serviceId` that instances connected here serve (and take tasks: up). */
function servedRevisions(dispatcher: TaskDispatcher, serviceId: string): Set<number> {
  const served = new Set<number>();
  for (const instance of dispatcher.connectedInstances(serviceId)) {
    if (instance.status === 'up' && instance.revision !== undefined) served.add(instance.revision);
  }
  return served;
}

/** Sockets, event streams and held answers opened with a key another replica revoked end within a few seconds. */
async function revokeClosedKeys(keys: ApiKeys, gateway: SocketGateway, holds: KeyHolds): Promise<void> {
  for (const keyId of new Set([...gateway.openKeyIds(), ...holds.keyIds()])) {
    if (await keys.isLive(keyId)) continue;
    gateway.closeKey(keyId);
    holds.revoke(keyId);
  }
}

/** The model planner, with the planning options that are its own. */
function llmPlanner(model: NonNullable<PlanningOptions['model']>, options: PlanningOptions): LlmPlanner {
  const { maxAttempts, timeoutMs, maxRetries, shareValues, pricing } = options;
  return new LlmPlanner({ model, maxAttempts, timeoutMs, maxRetries, shareValues, pricing });
}
