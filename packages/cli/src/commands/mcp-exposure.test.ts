import { describe, expect, it } from 'vitest';
import { exposureWarning, isLoopbackHost } from './mcp-exposure.js';

describe('exposureWarning', () => {
  it('says nothing for loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(exposureWarning(host), host).toBeUndefined();
    }
  });

  it('warns, naming the address, for every address other machines may reach', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.4', '10.0.0.2', 'example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
      expect(exposureWarning(host)).toContain(`--host ${host} lets other machines reach this MCP server`);
    }
  });
});
