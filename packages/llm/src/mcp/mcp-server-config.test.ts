import { ValidationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { checkMcpServerConfigs } from './mcp-server-config.js';

const problemsOf = (servers: unknown) => {
  try {
    checkMcpServerConfigs(servers);
    return [];
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    return error.problems.map((problem) => `${problem.path} ${problem.code}: ${problem.message}`);
  }
};

describe('checkMcpServerConfigs', () => {
  it('accepts stdio commands and HTTP URLs', () => {
    const servers = [
      { name: 'files', command: 'npx', args: ['-y', 'server'], env: { TOKEN: 'x' }, cwd: '/tmp' },
      { name: 'weather-2', url: 'https://mcp.example.com/mcp', headers: { authorization: 'Bearer t' } },
    ];
    expect(checkMcpServerConfigs(servers)).toBe(servers);
  });

  it('lists every problem at once, each naming the field and the value given', () => {
    expect(
      problemsOf([
        { name: 'Has.Dots', command: 'x' },
        { name: 'both', command: 'x', url: 'http://a' },
        { name: 'none' },
        { name: 'bad-url', url: 'ftp://files' },
        { name: 'bad-args', command: 'x', args: 'not-an-array', env: { PORT: 80 } },
        { name: 'both', command: 'y' },
        'a string',
      ]),
    ).toEqual([
      'servers[0].name pattern: name must be lowercase letters, digits and "-" (at most 64), got "Has.Dots"',
      'servers[1].command one-of: give either command (a server over stdio) or url (Streamable HTTP), not both or none',
      'servers[2].command one-of: give either command (a server over stdio) or url (Streamable HTTP), not both or none',
      'servers[3].url format: url must be an http:// or https:// URL, got "ftp://files"',
      'servers[4].args type: args must be an array of strings, got "not-an-array"',
      'servers[4].env type: env must map names to strings, got {"PORT":80}',
      'servers[5].name duplicate: two servers are named "both"',
      'servers[6] type: a server must be an object, got "a string"',
    ]);
    expect(problemsOf({ name: 'x' })).toEqual(['servers type: servers must be an array, got {"name":"x"}']);
  });

  it('names a misspelt key, suggesting the key it most likely meant, and lists the known keys for any other', () => {
    expect(
      problemsOf([
        { name: 'files', comand: 'npx', args: ['server'] },
        { name: 'web', url: 'http://127.0.0.1:3000/mcp', timeout: 5000 },
      ]),
    ).toEqual([
      'servers[0].comand unknown-key: unknown key "comand" (did you mean "command"?)',
      'servers[0].command one-of: give either command (a server over stdio) or url (Streamable HTTP), not both or none',
      'servers[1].timeout unknown-key: unknown key "timeout" (known: name, command, args, env, cwd, url, headers)',
    ]);
  });
});
