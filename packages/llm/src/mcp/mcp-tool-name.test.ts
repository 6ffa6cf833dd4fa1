import { isValidTargetName } from '@baton/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mcpToolTargetName } from './mcp-tool-name.js';

describe('mcpToolTargetName', () => {
  it.each([
    ['get_weather', 'w.get-weather'],
    ['getWeather', 'w.get-weather'],
    ['Get Weather', 'w.get-weather'],
    ['HTTPRequest', 'w.http-request'],
    ['files.read_file', 'w.files.read-file'],
    ['__private__', 'w.private'],
    ['v2_search', 'w.v2-search'],
    ['a..b', 'w.a.b'],
  ])('maps %j to %j', (tool, name) => {
    expect(mcpToolTargetName('w', tool)).toBe(name);
  });

  it('gives nothing for a name of symbols only, or one too long for the registry', () => {
    expect(mcpToolTargetName('w', '___')).toBeUndefined();
    expect(mcpToolTargetName('w', 'x'.repeat(260))).toBeUndefined();
  });

  it('always gives a valid registry name, or nothing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (tool) => {
        const name = mcpToolTargetName('server-1', tool);
        return name === undefined || isValidTargetName(name);
      }),
      { numRuns: 2000 },
    );
  });
});
