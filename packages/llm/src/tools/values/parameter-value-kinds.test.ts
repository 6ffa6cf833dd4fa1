import { describe, expect, it } from 'vitest';
import { parameterValueKinds } from './parameter-value-kinds.js';

const kinds = (properties: Record<string, unknown>) => [...parameterValueKinds({ type: 'object', properties })].sort();

describe('parameterValueKinds', () => {
  it('reads JSON Schema formats', () => {
    expect(
      kinds({
        a: { type: 'string', format: 'email' },
        b: { type: 'string', format: 'uri' },
        c: { type: 'string', format: 'date-time' },
        d: { type: 'string', format: 'ipv4' },
      }),
    ).toEqual(['datetime', 'email', 'ip', 'url']);
  });

  it('reads the words of names and descriptions', () => {
    expect(kinds({ to: { type: 'string', description: 'Phone number in E.164 format' } })).toEqual(['phone']);
    expect(kinds({ path: { type: 'string', description: 'Image path' } })).toEqual(['image', 'path']);
    expect(kinds({ start: { type: 'string', description: 'Start, ISO 8601' } })).toEqual(['datetime']);
    expect(kinds({ at: { type: 'string' } })).toEqual(['datetime']);
    expect(kinds({ repoOwner: { type: 'string' }, sql: { type: 'string' } })).toEqual(['repository', 'sql']);
  });

  it('takes a parameter named as an identifier as one, whatever its description mentions', () => {
    expect(kinds({ message_id: { type: 'string', description: 'Id of the email' } })).toEqual([]);
    expect(kinds({ file_id: { type: 'string', description: 'Drive file id' } })).toEqual([]);
  });

  it('still reads a channel, a user or a repository off an identifier’s name, and a number’s description', () => {
    expect(kinds({ channel_id: { type: 'string', description: 'Channel id' } })).toEqual(['channel']);
    expect(kinds({ phoneNumber: { type: 'string', description: 'Phone number' } })).toEqual(['phone']);
    expect(kinds({ tracking_number: { type: 'string', description: 'Parcel tracking number' } })).toEqual(['tracking']);
    expect(kinds({ flight_number: { type: 'string', description: 'e.g. TP123' } })).toEqual(['flight']);
    expect(kinds({ symbol: { type: 'string', description: 'Stock ticker, e.g. AAPL' } })).toEqual(['ticker']);
    expect(kinds({ order_number: { type: 'string', description: 'The order number' } })).toEqual([]);
  });

  it('looks into nested objects and array items', () => {
    expect(
      kinds({
        recipients: { type: 'array', items: { type: 'string', format: 'email' } },
        meta: { type: 'object', properties: { website: { type: 'string' } } },
      }),
    ).toEqual(['email', 'url']);
  });

  it('takes nothing from a schema that is not an object', () => {
    expect([...parameterValueKinds(undefined)]).toEqual([]);
    expect([...parameterValueKinds('string')]).toEqual([]);
  });
});
