/**
 * planner/*: how fast and how right an action in plain words becomes a validated plan. No other library plans the
 * same way, so the template cases are measured against targets and the cache against the model it spares.
 *
 * - template-hit-p50: `ActionPlanner.fromTemplate` from action text to a plan `validatePlan` accepted, with 100
 *   templates (the 15 shipped in packages/llm/data plus 85 from planner-templates.ts), over the shipped labelled
 *   actions that get their template; the SIF embedder and the verifier's lexicon are loaded before timing.
 * - template-precision / template-recall: `evaluateTemplates` of the 15 shipped templates on the shipped labelled
 *   actions (packages/llm/data/template-actions.jsonl).
 * - cache-hit-p50: a plan from the plan cache for an action with the same meaning as one planned before and new
 *   request values, against a fresh plan by `LlmPlanner` from a local OpenAI-compatible server that answers a
 *   recorded plan at once: the ratio is what a hit saves even before a real model's seconds of latency.
 */
import { readFileSync } from 'node:fs';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createSifEmbedder, type Embedder } from '@baton/cache';
import { createRegistry, type Plan, type Registry, validatePlan } from '@baton/core';
import {
  type ActionPlan,
  ActionPlanner,
  type ActionRequest,
  evaluateTemplates,
  type LabelledAction,
  LlmPlanner,
  PlanCache,
  parseLabelledActions,
  registryTargets,
  TemplateMatcher,
} from '@baton/llm';
// @baton/llm keeps its test server out of its main export, under `@baton/llm/testing`.
import { startChatServer } from '@baton/llm/testing';
import type { PlanTemplateInput } from '@baton/protocol';
import { median, percentile, progress, report, sampleAsync } from './measure.js';
import { generatedTemplates } from './planner-templates.js';

const SAMPLES = 500;
const LLM_SAMPLES = 300;

const dataFile = (name: string) => readFileSync(new URL(`../packages/llm/data/${name}`, import.meta.url), 'utf8');

/** A registry with every target the templates' plans call, as plain services, and a validator over it. */
function registryFor(templates: readonly PlanTemplateInput[]): Registry {
  const registry = createRegistry();
  const names = new Set(templates.flatMap((template) => (template.plan as Plan).steps.map((step) => step.target)));
  for (const name of names)
    registry.register({ name: String(name), description: `${name} service`, handler: () => ({}) });
  return registry;
}

const validatorFor = (registry: Registry) => (plan: Plan) => validatePlan(plan, registry).problems;

async function matcherOf(embedder: Embedder, templates: readonly PlanTemplateInput[]): Promise<TemplateMatcher> {
  const matcher = new TemplateMatcher({ embedder });
  for (const template of templates) await matcher.add(template);
  return matcher;
}

/** The labelled actions that get their own template from `planner`, with the request each is planned from. */
async function hitsOf(
  planner: ActionPlanner,
  actions: readonly LabelledAction[],
  base: Pick<ActionRequest, 'targets' | 'validate'>,
): Promise<ActionRequest[]> {
  const hits: ActionRequest[] = [];
  for (const { action, data, expected } of actions) {
    if (expected === null) continue;
    const request = { ...base, action, data };
    const planned = await planner.fromTemplate(request);
    if (planned?.decision.planner === 'template' && planned.decision.template === expected) hits.push(request);
  }
  return hits;
}

function cycle<T>(items: readonly T[]): () => T {
  let next = 0;
  return () => items[next++ % items.length] as T;
}

async function runTemplateHits(embedder: Embedder, shipped: PlanTemplateInput[], actions: LabelledAction[]) {
  const templates = [...shipped, ...generatedTemplates()];
  const registry = registryFor(templates);
  const base = { targets: registryTargets(registry), validate: validatorFor(registry) };
  const started = performance.now();
  const planner = new ActionPlanner({ templates: await matcherOf(embedder, templates) });
  progress(`planner: ${templates.length} templates added in ${(performance.now() - started).toFixed(0)} ms`);
  const hits = await hitsOf(planner, actions, base);
  const positives = actions.filter((action) => action.expected !== null).length;
  progress(`  ${hits.length} of the ${positives} labelled actions with a template get it among ${templates.length}`);
  if (hits.length === 0) throw new Error('no labelled action gets its template: nothing to time');
  const next = cycle(hits);
  const samples = await sampleAsync(
    async () => {
      if (!(await planner.fromTemplate(next()))) throw new Error('a template hit stopped matching');
    },
    { warmup: 50, samples: SAMPLES },
  );
  progress(`  template hit: p50 ${median(samples).toFixed(2)} ms, p95 ${percentile(samples, 95).toFixed(2)} ms`);
  report({
    case: 'planner/template-hit-p50',
    unit: 'ms',
    baton: median(samples),
    target: 2,
    better: 'lower',
    n: SAMPLES,
  });
  const fewer = new ActionPlanner({ templates: await matcherOf(embedder, shipped) });
  const nextFewer = cycle(hits);
  const fewerSamples = await sampleAsync(() => fewer.fromTemplate(nextFewer()), { warmup: 50, samples: SAMPLES });
  progress(
    `  the same hits among the ${shipped.length} shipped templates only: p50 ${median(fewerSamples).toFixed(2)} ms`,
  );
  const all = await evaluateTemplates(await matcherOf(embedder, templates), actions);
  progress(
    `  with all ${templates.length} templates: precision ${all.precision.toFixed(3)}, recall ${all.recall.toFixed(3)}` +
      `, ${all.wrong.length} wrong${all.wrong.map((wrong) => `; "${wrong.action}" got ${wrong.got}`).join('')}`,
  );
}

async function runTemplateQuality(embedder: Embedder, shipped: PlanTemplateInput[], actions: LabelledAction[]) {
  const evaluation = await evaluateTemplates(await matcherOf(embedder, shipped), actions);
  const kinds = Object.entries(evaluation.byKind).map(([kind, { actions: n, right }]) => `${kind} ${right}/${n}`);
  progress(
    `planner: ${shipped.length} shipped templates on ${evaluation.actions} labelled actions: ${kinds.join(', ')}; ` +
      `${evaluation.missed.length} missed, ${evaluation.wrong.length} wrong`,
  );
  const n = evaluation.actions;
  report({
    case: 'planner/template-precision',
    unit: 'ratio',
    baton: evaluation.precision,
    target: 1,
    better: 'higher',
    n,
  });
  report({
    case: 'planner/template-recall',
    unit: 'ratio',
    baton: evaluation.recall,
    target: 0.8,
    better: 'higher',
    n,
  });
}

/** What the recorded model answers: the morning briefing, reading the city from the request data. */
const BRIEFING_PLAN: Plan = {
  steps: [
    { id: 'weather', target: 'weather', input: { city: { $ref: 'request.data.city' } } },
    { id: 'news', target: 'news', input: { topic: { $ref: 'request.data.city' } } },
    {
      id: 'brief',
      target: 'brief',
      input: { weather: '{{steps.weather.output.summary}}', headlines: { $ref: 'steps.news.output.headlines' } },
    },
  ],
};

function briefingRegistry(): Registry {
  const registry = createRegistry();
  const object = (properties: Record<string, unknown>, required: string[] = []) => ({
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  });
  const strings = { type: 'array', items: { type: 'string' } };
  const handler = async () => ({});
  registry.register({
    name: 'weather',
    description: 'Current weather for a city',
    input: object({ city: { type: 'string' } }, ['city']),
    output: object({ tempC: { type: 'number' }, summary: { type: 'string' } }),
    handler,
  });
  registry.register({
    name: 'news',
    description: 'Top headlines about a topic',
    input: object({ topic: { type: 'string' } }, ['topic']),
    output: object({ headlines: strings }),
    handler,
  });
  registry.register({
    name: 'brief',
    description: 'Writes a short briefing from a weather summary and headlines',
    input: object({ weather: { type: 'string' }, headlines: strings }, ['weather', 'headlines']),
    output: object({ text: { type: 'string' } }),
    handler,
  });
  return registry;
}

const CITIES = ['Porto', 'Faro', 'Berlin', 'Oslo', 'Madrid', 'Tokyo', 'Dublin', 'Rome', 'Seattle', 'Paris', 'Vienna'];
/** The cached action's meaning, written as it was and in other words; the city is a new value each time. */
const PHRASINGS = [
  (city: string) => `Give me a morning briefing for ${city}`,
  (city: string) => `Please give me a morning briefing for ${city}`,
  (city: string) => `give me the morning briefing for ${city}`,
];

async function runCacheHits(embedder: Embedder) {
  const server = await startChatServer({ reply: () => JSON.stringify({ actionable: true, plan: BRIEFING_PLAN }) });
  try {
    const model = createOpenAICompatible({ name: 'local', baseURL: server.baseURL, supportsStructuredOutputs: true });
    const llm = new LlmPlanner({ model: model.chatModel('bench') });
    const registry = briefingRegistry();
    const base = { targets: registryTargets(registry), validate: validatorFor(registry) };
    const first = { ...base, action: 'Give me a morning briefing for Lisbon', data: { city: 'Lisbon' } };

    const fresh = new ActionPlanner({ llm });
    const planFresh = async () => {
      const planned = await fresh.plan(first);
      if (planned.decision.planner !== 'llm') throw new Error(`a fresh plan came from ${planned.decision.planner}`);
    };
    const freshSamples = await sampleAsync(planFresh, { warmup: 20, samples: LLM_SAMPLES });
    const calls = server.calls;

    const cached = new ActionPlanner({ cache: new PlanCache({ embedder }), llm });
    const warmed = await cached.plan(first);
    if (warmed.decision.planner !== 'llm') throw new Error(`the warming plan came from ${warmed.decision.planner}`);
    // The first phrasing masks to the cached action's very text (a map lookup); the others are found by meaning.
    const requests = CITIES.flatMap((city) =>
      PHRASINGS.map((phrase, i) => ({ ...base, action: phrase(city), data: { city }, sameWords: i === 0 })),
    );
    const next = cycle(requests);
    const byWording = { same: [] as number[], other: [] as number[] };
    const hit = async () => {
      const request = next();
      const started = performance.now();
      const planned: ActionPlan = await cached.plan(request);
      const ms = performance.now() - started;
      if (planned.decision.planner !== 'cache') {
        throw new Error(`"${request.action}" was planned by ${planned.decision.planner}, not the plan cache`);
      }
      byWording[request.sameWords ? 'same' : 'other'].push(ms);
    };
    for (let i = 0; i < 20; i++) await hit();
    byWording.same.length = 0;
    byWording.other.length = 0;
    const hitSamples = await sampleAsync(hit, { warmup: 0, samples: SAMPLES });
    if (server.calls !== calls + 1) throw new Error(`cache hits called the model ${server.calls - calls - 1} times`);
    const p50 = (samples: number[]) => `${samples.length} at p50 ${median(samples).toFixed(3)} ms`;
    progress(
      `planner: fresh LLM plan p50 ${median(freshSamples).toFixed(2)} ms; cache hit p50 ${median(hitSamples).toFixed(3)} ms ` +
        `(target 2 ms; same words, new city: ${p50(byWording.same)}; other words: ${p50(byWording.other)})`,
    );
    report({
      case: 'planner/cache-hit-p50',
      unit: 'ms',
      baton: median(hitSamples),
      peer: median(freshSamples),
      peerName: 'fresh LLM plan (local recorded server)',
      better: 'lower',
      n: SAMPLES,
    });
  } finally {
    await server.close();
  }
}

export async function runPlannerBench(): Promise<void> {
  const embedder = createSifEmbedder();
  await embedder.load();
  const shipped = JSON.parse(dataFile('plan-templates.json')) as PlanTemplateInput[];
  const actions = parseLabelledActions(dataFile('template-actions.jsonl'));
  await runTemplateHits(embedder, shipped, actions);
  await runTemplateQuality(embedder, shipped, actions);
  await runCacheHits(embedder);
}
