import { describe, expect, it } from 'vitest';
import { mcpServerEnvironment } from './mcp-server-environment.js';

describe('mcpServerEnvironment', () => {
  it('turns update notices off, and what the server config sets wins', () => {
    expect(mcpServerEnvironment()).toEqual({ npm_config_update_notifier: 'false', NO_UPDATE_NOTIFIER: '1' });
    expect(mcpServerEnvironment({ npm_config_update_notifier: 'true', TOKEN: 'x' })).toEqual({
      npm_config_update_notifier: 'true',
      NO_UPDATE_NOTIFIER: '1',
      TOKEN: 'x',
    });
  });
});
