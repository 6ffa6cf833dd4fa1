/**
 * The planning model named by the environment: any OpenAI-compatible endpoint (`BATON_LLM_BASE_URL`,
 * `BATON_LLM_MODEL`, `BATON_LLM_API_KEY`), asked for structured output by JSON Schema unless
 * `BATON_LLM_STRUCTURED_OUTPUTS=0` (then JSON mode, for servers without schema support); its price
 * (`BATON_LLM_PRICE`, input and output dollars per 1,000 tokens) and whether it sees the request's values
 * (`BATON_LLM_SHARE_VALUES`).
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ValidationError } from '@baton/core';
import type { LanguageModel } from 'ai';

export interface PlannerModelSettings {
  baseURL: string;
  model: string;
  apiKey?: string;
  /** @default true */
  structuredOutputs?: boolean;
  /** `BATON_LLM_PRICE`: US dollars per 1,000 input and output tokens, so planning's cost is counted. */
  price?: { inputPer1kTokens: number; outputPer1kTokens: number };
  /** `BATON_LLM_SHARE_VALUES`: the model is shown the request's values, not only their names and types. */
  shareValues?: boolean;
}

/** `"0.00015,0.0006"`: input and output US dollars per 1,000 tokens, each a number ≥ 0. */
function parsePrice(text: string): PlannerModelSettings['price'] {
  const parts = text.split(',').map((part) => part.trim());
  const [input, output] = parts.map(Number);
  if (parts.length !== 2 || parts.some((part) => part === '') || !(input! >= 0) || !(output! >= 0)) return undefined;
  return { inputPer1kTokens: input as number, outputPer1kTokens: output as number };
}

/** The settings in `env`, undefined when no model is configured; a `ValidationError` names a half or bad setting. */
export function plannerModelSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PlannerModelSettings | undefined {
  const baseURL = env.BATON_LLM_BASE_URL?.trim() || undefined;
  const model = env.BATON_LLM_MODEL?.trim() || undefined;
  if (baseURL === undefined && model === undefined) return undefined;
  const problems = [];
  if (baseURL === undefined) {
    problems.push({
      path: 'BATON_LLM_BASE_URL',
      code: 'required',
      message: 'set it to the endpoint, e.g. http://127.0.0.1:11434/v1, when BATON_LLM_MODEL is set',
    });
  } else if (!/^https?:\/\/[^\s]+$/.test(baseURL) || !URL.canParse(baseURL)) {
    problems.push({
      path: 'BATON_LLM_BASE_URL',
      code: 'invalid-url',
      message: `must be an http(s) URL, got ${JSON.stringify(baseURL.slice(0, 200))}`,
    });
  }
  if (model === undefined)
    problems.push({
      path: 'BATON_LLM_MODEL',
      code: 'required',
      message: 'set it to the model name when BATON_LLM_BASE_URL is set',
    });
  const structured = env.BATON_LLM_STRUCTURED_OUTPUTS?.trim();
  if (structured !== undefined && structured !== '' && structured !== '0' && structured !== '1') {
    problems.push({
      path: 'BATON_LLM_STRUCTURED_OUTPUTS',
      code: 'invalid',
      message: `must be 0 or 1, got ${JSON.stringify(structured.slice(0, 50))}`,
    });
  }
  const priceText = env.BATON_LLM_PRICE?.trim() || undefined;
  const price = priceText === undefined ? undefined : parsePrice(priceText);
  if (priceText !== undefined && price === undefined) {
    problems.push({
      path: 'BATON_LLM_PRICE',
      code: 'invalid',
      message: `must be the input and output US dollars per 1,000 tokens, e.g. 0.00015,0.0006; got ${JSON.stringify(priceText.slice(0, 50))}`,
    });
  }
  const share = env.BATON_LLM_SHARE_VALUES?.trim();
  if (share !== undefined && share !== '' && !['0', '1', 'true', 'false'].includes(share)) {
    problems.push({
      path: 'BATON_LLM_SHARE_VALUES',
      code: 'invalid',
      message: `must be 1 (or true) or 0 (or false), got ${JSON.stringify(share.slice(0, 50))}`,
    });
  }
  if (problems.length > 0) throw new ValidationError('invalid planning model settings', problems);
  return {
    baseURL: baseURL as string,
    model: model as string,
    apiKey: env.BATON_LLM_API_KEY?.trim() || undefined,
    structuredOutputs: structured !== '0',
    ...(price === undefined ? {} : { price }),
    shareValues: share === '1' || share === 'true',
  };
}

export function plannerModel(settings: PlannerModelSettings): LanguageModel {
  return createOpenAICompatible({
    name: 'baton-planner',
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    supportsStructuredOutputs: settings.structuredOutputs !== false,
  }).chatModel(settings.model);
}
