/**
 * Checks an `EnhanceConfig` and fills in its defaults. Every problem is collected into one `ValidationError` whose
 * problems name the option and the value given; unknown options (typos, the seed's snake_case names, options Baton
 * does not implement) are refused rather than silently ignored.
 */
import { DEFAULT_RELATED_MIN_SIMILARITY, DEFAULT_RELATED_TOP_K, similarityThresholdProblems } from '@baton/cache';
import { describeValue, type Problem, ValidationError } from '@baton/core';
import { toolSearchOptionProblems } from '../tools/tool-search.js';
import { scopeProblems } from './cache-scope.js';
import type { EnhanceConfig, ModelPrice } from './enhance-config.js';
import { embedderNameProblem } from './resolve-embedder.js';

export const DEFAULT_CONTEXT_TEMPLATE = 'Related answers given earlier (use them only if they help):\n{context}';

type Unset = 'similarityThreshold' | 'embedder' | 'redisUrl' | 'store' | 'scope' | 'name' | 'prompt' | 'toolSearch';

export type ResolvedConfig = Required<Omit<EnhanceConfig, Unset>> & Pick<EnhanceConfig, Unset>;

export const DEFAULT_CACHE_PATH = '.baton/cache.db';

const DEFAULTS: Omit<ResolvedConfig, Unset> = {
  embeddingModel: 'sif',
  enableHierarchical: false,
  hierarchicalWeightL1: 0.6,
  hierarchicalWeightL2: 0.4,
  enableCache: true,
  cacheTtl: 3600,
  slidingTtl: false,
  maxCacheSize: 10_000,
  maxCacheBytes: Number.POSITIVE_INFINITY,
  cacheToolCalls: false,
  cachePath: DEFAULT_CACHE_PATH,
  redisKeyPrefix: 'baton:cache:',
  enableCompression: false,
  cacheNonZeroTemperature: false,
  enableContextInjection: false,
  contextInjectionTopK: DEFAULT_RELATED_TOP_K,
  contextInjectionMinSimilarity: DEFAULT_RELATED_MIN_SIMILARITY,
  contextInjectionTemplate: DEFAULT_CONTEXT_TEMPLATE,
  enableRecorder: true,
  recorderLimit: 1000,
  llmCostPer1kTokens: 0.03,
  pricing: {},
  enableCircuitBreaker: false,
  circuitBreakerThreshold: 5,
  circuitBreakerTimeout: 60,
};

const BOOLEANS = [
  'enableHierarchical',
  'enableCache',
  'enableCompression',
  'cacheNonZeroTemperature',
  'slidingTtl',
  'cacheToolCalls',
  'enableContextInjection',
  'enableRecorder',
  'enableCircuitBreaker',
] as const;
const POSITIVE_INTEGERS = ['maxCacheSize', 'contextInjectionTopK', 'recorderLimit', 'circuitBreakerThreshold'] as const;
const STRINGS = ['embeddingModel', 'redisKeyPrefix', 'contextInjectionTemplate', 'name', 'cachePath'] as const;
const OTHERS = [
  'similarityThreshold',
  'embedder',
  'store',
  'scope',
  'redisUrl',
  'pricing',
  'cacheTtl',
  'name',
  'prompt',
  'toolSearch',
];
const KNOWN = new Set<string>([...Object.keys(DEFAULTS), ...OTHERS]);

/** The value given, short (long values are cut): a message must never echo a megabyte back. */
const show = describeValue;

/** The longest a breaker stays open before a trial call, in seconds. */
const MAX_BREAKER_SECONDS = 3600;

function checkNumber(
  problems: Problem[],
  path: string,
  value: unknown,
  rule: (n: number) => boolean,
  want: string,
  allowInfinity = false,
) {
  const finite = typeof value === 'number' && (Number.isFinite(value) || (allowInfinity && value === Infinity));
  if (!finite || !rule(value as number)) {
    problems.push({ path, code: 'invalid', message: `must be ${want}, got ${show(value)}` });
  }
}

function checkUnknown(problems: Problem[], config: Record<string, unknown>): void {
  const reported = new Set(problems.map((problem) => problem.path));
  for (const key of Object.keys(config)) {
    if (KNOWN.has(key) || config[key] === undefined || reported.has(key)) continue;
    const camel = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const hint = KNOWN.has(camel) ? `did you mean ${camel}?` : 'it is not an enhance() option';
    problems.push({
      path: key,
      code: 'unknown-option',
      message: `unknown option (value ${show(config[key])}): ${hint}`,
    });
  }
}

const STORE_METHODS = ['get', 'getByExactKey', 'put', 'delete', 'vectorsSince', 'getMeta', 'close'];

/** `store` is a store or `'memory'`; the options that pick a store do not contradict each other. */
function checkStore(problems: Problem[], raw: Record<string, unknown>): void {
  const store = raw.store as Record<string, unknown> | string | undefined;
  const isStore =
    typeof store === 'object' && store !== null && STORE_METHODS.every((name) => typeof store[name] === 'function');
  if (store !== undefined && store !== 'memory' && !isStore) {
    problems.push({
      path: 'store',
      code: 'invalid',
      message: `must be a CacheStore (MemoryStore, SqliteStore, RedisStore) or 'memory', got ${show(store)}`,
    });
  }
  if (store === 'memory' && raw.redisUrl !== undefined) {
    problems.push({
      path: 'store',
      code: 'conflict',
      message: `store 'memory' and redisUrl ${show(raw.redisUrl)} both pick a store; set one of them`,
    });
  }
  if (raw.cachePath !== undefined && (store !== undefined || raw.redisUrl !== undefined)) {
    problems.push({
      path: 'cachePath',
      code: 'conflict',
      message: `cachePath ${show(raw.cachePath)} is only read for the default SQLite store, but ${store !== undefined ? 'store' : 'redisUrl'} is set`,
    });
  }
}

/** A fixed scope is an object of optional strings; what a function returns is checked per call. */
function checkScope(problems: Problem[], scope: unknown): void {
  if (scope === undefined || typeof scope === 'function') return;
  problems.push(...scopeProblems(scope, 'scope'));
}

function checkPricing(problems: Problem[], pricing: unknown): void {
  if (pricing === undefined) return;
  if (typeof pricing !== 'object' || pricing === null || Array.isArray(pricing)) {
    problems.push({ path: 'pricing', code: 'invalid', message: `must be an object by model id, got ${show(pricing)}` });
    return;
  }
  for (const [model, price] of Object.entries(pricing as Record<string, Partial<ModelPrice>>)) {
    for (const field of ['inputPer1kTokens', 'outputPer1kTokens'] as const) {
      checkNumber(problems, `pricing.${model}.${field}`, price?.[field], (n) => n >= 0, 'a price ≥ 0');
    }
  }
}

/** `toolSearch` is `{ k, minScore? }`: k a whole number > 0, minScore in [0, 1], nothing else. */
function checkToolSearch(problems: Problem[], toolSearch: unknown): void {
  if (toolSearch === undefined) return;
  if (typeof toolSearch !== 'object' || toolSearch === null || Array.isArray(toolSearch)) {
    problems.push({
      path: 'toolSearch',
      code: 'invalid',
      message: `must be { k, minScore? }, got ${show(toolSearch)}`,
    });
    return;
  }
  const { k, minScore, ...rest } = toolSearch as Record<string, unknown>;
  if (k === undefined)
    problems.push({ path: 'toolSearch.k', code: 'required', message: 'is required: how many tools to keep' });
  problems.push(...toolSearchOptionProblems({ k, minScore } as { k?: number; minScore?: number }));
  for (const key of Object.keys(rest)) {
    problems.push({
      path: `toolSearch.${key}`,
      code: 'unknown-option',
      message: `unknown option (value ${show(rest[key])}): toolSearch has k and minScore`,
    });
  }
}

/**
 * @example
 * const resolved = resolveConfig({ similarityThreshold: 0.85, cacheTtl: 600 });
 */
export function resolveConfig(config: EnhanceConfig = {}): ResolvedConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ValidationError('invalid enhance() options', [
      { path: '', code: 'type', message: `the options must be an object, got ${show(config)}` },
    ]);
  }
  const raw = config as Record<string, unknown>;
  const problems: Problem[] = similarityThresholdProblems(raw);
  checkUnknown(problems, raw);
  for (const key of BOOLEANS) {
    if (raw[key] !== undefined && typeof raw[key] !== 'boolean') {
      problems.push({ path: key, code: 'invalid', message: `must be true or false, got ${show(raw[key])}` });
    }
  }
  for (const key of POSITIVE_INTEGERS) {
    if (raw[key] !== undefined)
      checkNumber(problems, key, raw[key], (n) => Number.isInteger(n) && n > 0, 'an integer > 0');
  }
  for (const key of STRINGS) {
    if (raw[key] !== undefined && (typeof raw[key] !== 'string' || raw[key] === '')) {
      problems.push({ path: key, code: 'invalid', message: `must be a non-empty string, got ${show(raw[key])}` });
    }
  }
  for (const key of ['hierarchicalWeightL1', 'hierarchicalWeightL2'] as const) {
    if (raw[key] !== undefined) checkNumber(problems, key, raw[key], (n) => n >= 0 && n <= 1, 'a weight in [0, 1]');
  }
  const l1 = config.hierarchicalWeightL1 ?? DEFAULTS.hierarchicalWeightL1;
  const l2 = config.hierarchicalWeightL2 ?? DEFAULTS.hierarchicalWeightL2;
  if (typeof l1 === 'number' && typeof l2 === 'number' && Math.abs(l1 + l2 - 1) > 1e-9) {
    problems.push({
      path: 'hierarchicalWeightL1',
      code: 'weights-sum',
      message: `hierarchicalWeightL1 ${l1} + hierarchicalWeightL2 ${l2} must sum to 1`,
    });
  }
  if (raw.cacheTtl !== undefined && raw.cacheTtl !== null) {
    checkNumber(problems, 'cacheTtl', raw.cacheTtl, (n) => n > 0, 'seconds > 0 (or null for no expiry)');
  }
  if (raw.contextInjectionMinSimilarity !== undefined) {
    const value = raw.contextInjectionMinSimilarity;
    checkNumber(problems, 'contextInjectionMinSimilarity', value, (n) => n > 0 && n <= 1, 'a similarity in (0, 1]');
  }
  if (raw.llmCostPer1kTokens !== undefined) {
    checkNumber(problems, 'llmCostPer1kTokens', raw.llmCostPer1kTokens, (n) => n >= 0, 'a price ≥ 0');
  }
  if (raw.circuitBreakerTimeout !== undefined) {
    // In seconds: 60000 meant as milliseconds would hold a breaker open for 17 hours.
    checkNumber(
      problems,
      'circuitBreakerTimeout',
      raw.circuitBreakerTimeout,
      (n) => n > 0 && n <= MAX_BREAKER_SECONDS,
      `seconds, > 0 and at most ${MAX_BREAKER_SECONDS} (an hour; it is not milliseconds)`,
    );
  }
  if (typeof config.contextInjectionTemplate === 'string' && !config.contextInjectionTemplate.includes('{context}')) {
    problems.push({
      path: 'contextInjectionTemplate',
      code: 'placeholder',
      message: `must contain {context}, got ${show(config.contextInjectionTemplate)}`,
    });
  }
  if (raw.redisUrl !== undefined && (typeof raw.redisUrl !== 'string' || !/^rediss?:\/\//.test(raw.redisUrl))) {
    problems.push({
      path: 'redisUrl',
      code: 'url',
      message: `must be a redis:// or rediss:// URL, got ${show(raw.redisUrl)}`,
    });
  }
  checkScope(problems, raw.scope);
  if (typeof raw.embeddingModel === 'string' && raw.embeddingModel !== '' && raw.embedder === undefined) {
    const problem = embedderNameProblem(raw.embeddingModel);
    if (problem) problems.push(problem);
  }
  if (raw.maxCacheBytes !== undefined) {
    checkNumber(problems, 'maxCacheBytes', raw.maxCacheBytes, (n) => n > 0, 'a number of bytes > 0', true);
  }
  if (raw.prompt !== undefined && typeof raw.prompt !== 'function') {
    problems.push({
      path: 'prompt',
      code: 'invalid',
      message: `must be a function of the call, got ${show(raw.prompt)}`,
    });
  }
  checkStore(problems, raw);
  checkToolSearch(problems, raw.toolSearch);
  checkPricing(problems, raw.pricing);
  if (problems.length > 0) throw new ValidationError('invalid enhance() config', problems);
  const defined = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
  return { ...DEFAULTS, ...defined } as ResolvedConfig;
}
