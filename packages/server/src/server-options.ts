/**
 * How a Baton server is configured: one typed object with documented defaults, and `serverOptionsFromEnv` for the
 * `BATON_*` environment variables `baton serve` reads.
 */
import type { Embedder } from '@baton/cache';
import { type LlmPlannerOptions, plannerModel, plannerModelSettings } from '@baton/llm';
import type { Logger } from 'pino';

/** How actions sent in plain words are planned (templates always; a model only when `model` is given). */
export interface PlanningOptions extends Partial<LlmPlannerOptions> {
  /** The model that plans what no template covers: any AI SDK `LanguageModel`. @default none (templates only) */
  model?: LlmPlannerOptions['model'];
  /** Compares actions with template examples and cached plans. @default the offline SIF embedder of `@baton/cache` */
  embedder?: Embedder;
}

/**
 * The server's SQLite file when none is given: not `openStore()`'s `.baton/baton.db`, so a program's own durable runs
 * (the examples') are never claimed by the engine of a server started in the same folder.
 */
export const DEFAULT_SERVER_DATABASE = '.baton/server.db';

export interface BatonServerOptions {
  /** `postgres://…` (several replicas may share it) or a SQLite file. @default '.baton/server.db' */
  databaseUrl?: string;
  /** @default 7400 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The admin token; without it, one is generated on first start (returned once by `startServer`) and kept hashed. */
  adminToken?: string;
  /**
   * At least 32 bytes (hex or base64) from which webhook signing secrets are derived; nothing secret is stored in the
   * database. @default SQLite: a key file beside the database (`secret.key`, mode 0600), created on first start;
   * PostgreSQL: required, the same on every replica
   */
  secretKey?: string;
  /** Deliver webhooks to private, loopback and link-local addresses (development only). @default false */
  allowPrivateWebhooks?: boolean;
  /** @default 16777216 (16 MiB) */
  bodyLimitBytes?: number;
  /** Requests per second per API key. @default 1000 */
  requestsPerSecond?: number;
  /** How long a task waits for an instance of its service when none is connected. @default 30000 */
  serviceGraceMs?: number;
  /** Instances send heartbeats this often; three missed intervals mark one down. @default 10000 */
  heartbeatMs?: number;
  /** The engine's lease on a run; another replica takes a dead one's runs over after it. @default 15000 */
  leaseMs?: number;
  /** This replica's name in leases. @default `<hostname>-<pid>-<random>` */
  replicaId?: string;
  /** Webhook retry schedule. @default [5 s, 30 s, 2 min, 10 min, 30 min, 2 h, 6 h] */
  webhookRetryDelaysMs?: number[];
  /** How often the webhook worker looks for due deliveries from other replicas. @default 1000 */
  webhookPollIntervalMs?: number;
  /**
   * How often a held `GET /v1/orchestrations/:id?waitMs=` or an event stream looks again at a run it hears nothing of
   * (on PostgreSQL, replicas announce the end of every run to each other). @default 1000
   */
  orchestrationPollMs?: number;
  /** A pino logger; `false` for none. @default pino at level `info` on stdout */
  logger?: Logger | false;
  /** Planning of actions sent in plain words. @default templates only, no model */
  planning?: PlanningOptions;
}

const number = (value: string | undefined) => (value === undefined || value === '' ? undefined : Number(value));

export function serverOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BatonServerOptions {
  const options: BatonServerOptions = {};
  if (env.BATON_DATABASE_URL) options.databaseUrl = env.BATON_DATABASE_URL;
  if (env.BATON_ADMIN_TOKEN) options.adminToken = env.BATON_ADMIN_TOKEN;
  if (env.BATON_SECRET_KEY) options.secretKey = env.BATON_SECRET_KEY;
  if (env.BATON_WEBHOOK_ALLOW_PRIVATE === '1' || env.BATON_WEBHOOK_ALLOW_PRIVATE === 'true')
    options.allowPrivateWebhooks = true;
  const port = number(env.BATON_PORT ?? env.PORT);
  if (port !== undefined) options.port = port;
  if (env.BATON_HOST) options.host = env.BATON_HOST;
  const rate = number(env.BATON_RATE_LIMIT);
  if (rate !== undefined) options.requestsPerSecond = rate;
  const grace = number(env.BATON_SERVICE_GRACE_MS);
  if (grace !== undefined) options.serviceGraceMs = grace;
  // BATON_LLM_BASE_URL, BATON_LLM_MODEL, BATON_LLM_API_KEY: a ValidationError names a half or bad setting.
  const model = plannerModelSettings(env);
  if (model !== undefined) {
    options.planning = { model: plannerModel(model) };
    if (model.shareValues === true) options.planning.shareValues = true;
    if (model.price !== undefined) options.planning.pricing = { [model.model]: model.price };
  }
  return options;
}
