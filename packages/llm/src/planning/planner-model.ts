/**
 * The planning model named by the environment: any OpenAI-compatible endpoint (`BATON_LLM_BASE_URL`,
 * `BATON_LLM_MODEL`, `BATON_LLM_API_KEY`), asked for structured output by JSON Schema unless
 * `BATON_LLM_STRUCTURED_OUTPUTS=0` (then JSON mode, for servers without schema support).
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
  if (problems.length > 0) throw new ValidationError('invalid planning model settings', problems);
  return {
    baseURL: baseURL as string,
    model: model as string,
    apiKey: env.BATON_LLM_API_KEY?.trim() || undefined,
    structuredOutputs: structured !== '0',
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
