/**
 * The quickstart's plan templates: approved plans over the example services, with the actions they answer. An action
 * that matches one runs its plan without a model.
 */
import type { PlanTemplateInput } from '@baton/protocol';

export const EXAMPLE_TEMPLATES: readonly PlanTemplateInput[] = [
  {
    name: 'morning-briefing',
    description: 'The weather and the headlines of a city, written up as a briefing',
    examples: [
      'Give me a morning briefing for {city}',
      'Morning briefing for {city}',
      'Prepare my morning briefing for {city}',
      "What's happening in {city} this morning?",
    ],
    params: { city: { type: 'string', minLength: 1 } },
    plan: {
      steps: [
        { id: 'weather', target: 'weather', input: { city: { $ref: 'request.data.city' } } },
        { id: 'news', target: 'news', input: { topic: { $ref: 'request.data.city' } } },
        {
          id: 'briefing',
          target: 'writer',
          input: { weather: { $ref: 'steps.weather.output' }, headlines: { $ref: 'steps.news.output.headlines' } },
        },
      ],
      output: { $ref: 'steps.briefing.output.briefing' },
    },
  },
  {
    name: 'weather-report',
    description: 'The current weather in a city',
    examples: ["What's the weather in {city}?", 'Weather in {city}', 'How is the weather in {city}?'],
    params: { city: { type: 'string', minLength: 1 } },
    plan: { steps: [{ id: 'weather', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] },
  },
  {
    name: 'convert-currency',
    description: 'Converts an amount between two currencies',
    examples: ['Convert {amount} {from} to {to}', 'How much is {amount} {from} in {to}?'],
    params: {
      amount: { type: 'number', exclusiveMinimum: 0 },
      from: { type: 'string', pattern: '^[A-Za-z]{3}$' },
      to: { type: 'string', pattern: '^[A-Za-z]{3}$' },
    },
    plan: {
      steps: [
        {
          id: 'convert',
          target: 'currency',
          input: {
            amount: { $ref: 'request.data.amount' },
            from: { $ref: 'request.data.from' },
            to: { $ref: 'request.data.to' },
          },
        },
      ],
    },
  },
];
