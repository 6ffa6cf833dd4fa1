import { ValidationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { plannerModel, plannerModelSettings } from './planner-model.js';

describe('plannerModelSettings', () => {
  it('is undefined when no model is configured', () => {
    expect(plannerModelSettings({})).toBeUndefined();
  });

  it('reads the endpoint, the model and the key', () => {
    const settings = plannerModelSettings({
      BATON_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      BATON_LLM_MODEL: 'qwen3',
      BATON_LLM_API_KEY: 'sk-1',
    });
    expect(settings).toEqual({
      baseURL: 'http://127.0.0.1:11434/v1',
      model: 'qwen3',
      apiKey: 'sk-1',
      structuredOutputs: true,
      shareValues: false,
    });
    expect((plannerModel(settings as NonNullable<typeof settings>) as { modelId: string }).modelId).toBe('qwen3');
    expect(
      plannerModelSettings({
        BATON_LLM_BASE_URL: 'https://x.test/v1',
        BATON_LLM_MODEL: 'm',
        BATON_LLM_STRUCTURED_OUTPUTS: '0',
      })?.structuredOutputs,
    ).toBe(false);
  });

  it('reads the price and whether the model sees the request values', () => {
    const settings = plannerModelSettings({
      BATON_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      BATON_LLM_MODEL: 'qwen3',
      BATON_LLM_PRICE: '0.00015, 0.0006',
      BATON_LLM_SHARE_VALUES: 'true',
    });
    expect(settings).toMatchObject({
      price: { inputPer1kTokens: 0.00015, outputPer1kTokens: 0.0006 },
      shareValues: true,
    });
  });

  it('names every half or bad setting with its value', () => {
    const error = (() => {
      try {
        plannerModelSettings({
          BATON_LLM_BASE_URL: 'ftp://x',
          BATON_LLM_STRUCTURED_OUTPUTS: 'yes',
          BATON_LLM_PRICE: 'cheap',
          BATON_LLM_SHARE_VALUES: 'yes',
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toEqual([
      'BATON_LLM_BASE_URL',
      'BATON_LLM_MODEL',
      'BATON_LLM_STRUCTURED_OUTPUTS',
      'BATON_LLM_PRICE',
      'BATON_LLM_SHARE_VALUES',
    ]);
    expect((error as ValidationError).message).toContain('"ftp://x"');
  });
});
