import { describe, expect, it } from 'vitest';
import type { Io } from './io.js';
import { createProgram, main } from './main.js';

function buffers(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line), exitCode: 0 };
}

/** Every command that does something (not a group), as its words: `['templates', 'add']`. */
function leafCommands(): string[][] {
  const program = createProgram(buffers());
  return program.commands.flatMap((command) =>
    command.commands.length === 0 ? [[command.name()]] : command.commands.map((sub) => [command.name(), sub.name()]),
  );
}

describe('the baton program', () => {
  it('has every operator command', () => {
    const names = leafCommands().map((words) => words.join(' '));
    expect(names).toEqual(
      expect.arrayContaining([
        'login',
        'run',
        'ps',
        'inspect',
        'logs',
        'cancel',
        'retry',
        'approvals ls',
        'approvals approve',
        'approvals reject',
        'comp-fail ls',
        'comp-fail resolve',
        'comp-fail ignore',
        'services ls',
        'templates add',
        'templates ls',
        'templates rm',
        'webhooks add',
        'webhooks ls',
        'webhooks rm',
        'webhooks deliveries',
        'api-keys add',
        'api-keys ls',
        'api-keys rm',
        'projects add',
        'projects ls',
        'version',
        'serve',
        'eval',
        'cache eval',
        'cache calibrate',
      ]),
    );
  });

  it.each(leafCommands().map((words) => words.join(' ')))(
    '%s --help: a description and an example',
    async (command) => {
      const words = command.split(' ');
      const io = buffers();
      expect(await main(['node', 'baton', ...words, '--help'], io)).toBe(0);
      const help = io.lines.join('\n');
      expect(help).toMatch(/Example(s)?:\n\s+\$ baton /);
      expect(help).toContain(`Usage: baton ${words.join(' ')}`);
    },
  );

  it.each([
    [],
    ...[
      ...new Set(
        leafCommands()
          .filter((words) => words.length > 1)
          .map((words) => words[0] as string),
      ),
    ].map((group) => [group]),
  ])('baton %s --help (the program, and each command group): an example', async (...words: string[]) => {
    const io = buffers();
    expect(await main(['node', 'baton', ...words, '--help'], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/Examples?:\n\s+\$ baton /);
  });

  it('documents the exit codes, the server ones too', async () => {
    const io = buffers();
    await main(['node', 'baton', '--help'], io);
    expect(io.lines.join('\n')).toMatch(
      /Exit codes:[\s\S]*5\s+the server could not be reached[\s\S]*6\s+the server refused the request[\s\S]*7\s+the orchestration failed or was cancelled/,
    );
  });

  it('commands that print data take --json', () => {
    const program = createProgram(buffers());
    const withoutJson = program.commands
      .flatMap((command) => (command.commands.length === 0 ? [command] : command.commands))
      .filter((command) => !command.options.some((option) => option.long === '--json'))
      .map((command) => `${command.parent?.name() === 'baton' ? '' : `${command.parent?.name()} `}${command.name()}`);
    // rm commands print one confirmation line; serve, mcp serve and quickstart print the server's address and keep
    // serving (mcp serve's stdout is MCP's own over stdio); eval, cache and tools eval print JSON always.
    expect(withoutJson.sort()).toEqual(
      [
        'api-keys rm',
        'cache calibrate',
        'cache eval',
        'eval',
        'mcp serve',
        'quickstart',
        'serve',
        'templates rm',
        'tools eval',
        'webhooks rm',
      ].sort(),
    );
  });
});
