import { ValidationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { toolRegistry } from './agent-test-kit.js';
import { agentTools, modelToolName } from './agent-tools.js';

describe('modelToolName', () => {
  it('turns a registry name into one providers accept, unique for long names', () => {
    expect(modelToolName('weather.forecast')).toBe('weather_forecast');
    expect(modelToolName('send-email')).toBe('send-email');
    const long = modelToolName(`server.${'x'.repeat(80)}`);
    expect(long).toMatch(/^server_x+_[0-9a-f]{8}$/);
    expect(long).toHaveLength(64);
    expect(modelToolName(`server.${'x'.repeat(81)}`)).not.toBe(long);
  });
});

describe('agentTools', () => {
  it('picks targets by name and prefix, each with its input schema, never the agent itself', () => {
    const { registry } = toolRegistry();
    registry.register({ name: 'weather.agent', description: 'An agent', handler: () => ({}) });
    const tools = agentTools(registry, ['weather.*', 'send-email'], 'weather.agent');
    expect(tools.map((tool) => [tool.name, tool.target])).toEqual([
      ['weather_forecast', 'weather.forecast'],
      ['weather_current', 'weather.current'],
      ['send-email', 'send-email'],
    ]);
    expect(tools[0]?.parameters).toMatchObject({ type: 'object', required: ['city'] });
  });

  it('refuses a plain name that is not registered, and lets a pattern match nothing', () => {
    const { registry } = toolRegistry();
    expect(agentTools(registry, ['files.*'], 'a')).toEqual([]);
    expect(() => agentTools(registry, ['send-sms'], 'a')).toThrow(ValidationError);
    expect(() => agentTools(registry, ['send-sms'], 'a')).toThrow('"send-sms" is not registered');
  });

  it('says which name was meant, or which names there are', () => {
    const { registry } = toolRegistry();
    registry.register({ name: 'ext.get-weather', description: 'An MCP tool', handler: () => ({}) });
    const problemOf = (name: string) => {
      try {
        agentTools(registry, [name], 'a');
      } catch (error) {
        return (error as ValidationError).problems[0]?.message;
      }
      return undefined;
    };
    expect(problemOf('ext.get_weather')).toBe(
      '"ext.get_weather" is not registered; did you mean "ext.get-weather"? (MCP tools are registered with - for _ and lower case)',
    );
    expect(problemOf('nope')).toMatch(/^"nope" is not registered \(registered: .*ext\.get-weather/);
  });
});
