/**
 * The `baton` command: builds the commander program, runs it, and turns every failure into one line on stderr and
 * an exit code (see `EXIT_CODES`); the stack only with `--debug`.
 */
import { BatonError } from '@baton/core/errors';
import { Command, CommanderError, type OutputConfiguration } from 'commander';
import { CLI_VERSION } from './cli-version.js';
import { registerApiKeysCommands } from './commands/api-keys-command.js';
import { registerApprovalsCommands } from './commands/approvals-command.js';
import { registerCacheCommands } from './commands/cache-commands.js';
import { registerCancelCommand, registerRetryCommand } from './commands/cancel-retry-commands.js';
import { registerCompFailCommands } from './commands/comp-fail-command.js';
import { registerEvalCommand } from './commands/eval-command.js';
import { registerInspectCommand } from './commands/inspect-command.js';
import { registerLoginCommand } from './commands/login-command.js';
import { registerLogsCommand } from './commands/logs-command.js';
import { registerMcpCommands } from './commands/mcp-command.js';
import { registerProjectsCommands } from './commands/projects-command.js';
import { registerPsCommand } from './commands/ps-command.js';
import { registerQuickstartCommand } from './commands/quickstart-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerServicesCommands } from './commands/services-command.js';
import { registerTemplatesCommands } from './commands/templates-command.js';
import { registerToolsCommands } from './commands/tools-command.js';
import { registerVersionCommand } from './commands/version-command.js';
import { registerWebhooksCommands } from './commands/webhooks-command.js';
import { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes.js';
import { InputError } from './input-error.js';
import { type Io, processIo } from './io.js';
import { checkRequiredOptionsLast } from './options/required-options-last.js';
import { OrchestrationEndedError } from './orchestration-ended-error.js';
import { ServerError } from './server-error.js';
import { UsageError } from './usage-error.js';

const CONNECTION_HELP = `
Connection: baton login saves the server URL and a project API key in ~/.baton/config.json (mode 0600);
BATON_URL and BATON_API_KEY override it; the saved key is only sent to the URL it was saved for. Admin commands (projects) take --admin-token or BATON_ADMIN_TOKEN.`;

/** An example for each command group's own `--help` (each command in a group has its own too). */
const GROUP_EXAMPLES: Readonly<Record<string, string>> = {
  templates: 'baton templates add weather-template.json',
  services: 'baton services ls',
  approvals: 'baton approvals ls --json',
  'comp-fail': 'baton comp-fail ls',
  projects: 'baton projects add billing',
  'api-keys': 'baton api-keys add ci',
  webhooks: "baton webhooks add https://example.com/baton --events 'orchestration.*'",
  cache: 'baton cache eval --pairs pairs.jsonl',
};

/** Where commander writes: help to stdout; its usage errors to stderr as `baton: …`, like every other error. */
const output = (io: Io): OutputConfiguration => ({
  writeOut: (text) => io.out(text.trimEnd()),
  writeErr: (text) => io.err(text.trimEnd()),
  outputError: (text, write) => write(text.replace(/^error: /, 'baton: ')),
});

export function createProgram(io: Io): Command {
  const program = new Command('baton')
    .description('Baton: run LLM agents, tools and services together, reliably and cheaply')
    .version(CLI_VERSION, '-V, --version', 'print the CLI version (baton version also asks the server)')
    .option('--debug', 'print the stack of an error')
    .addHelpText('after', `${CONNECTION_HELP}\n${EXIT_CODES_HELP}`)
    .exitOverride()
    .configureOutput(output(io));
  registerLoginCommand(program, io);
  registerRunCommand(program, io);
  registerPsCommand(program, io);
  registerInspectCommand(program, io);
  registerLogsCommand(program, io);
  registerCancelCommand(program, io);
  registerRetryCommand(program, io);
  registerApprovalsCommands(program, io);
  registerCompFailCommands(program, io);
  registerServicesCommands(program, io);
  registerTemplatesCommands(program, io);
  registerWebhooksCommands(program, io);
  registerApiKeysCommands(program, io);
  registerProjectsCommands(program, io);
  registerVersionCommand(program, io);
  registerServeCommand(program, io);
  registerQuickstartCommand(program, io);
  registerEvalCommand(program, io);
  registerCacheCommands(program, io);
  registerToolsCommands(program, io);
  registerMcpCommands(program, io);
  program.addHelpText(
    'after',
    `\nExamples:\n  $ baton quickstart                                  (what npm start runs)\n  $ baton run "What's the weather in Paris?" --wait\n  $ baton inspect orc_… --detailed`,
  );
  for (const group of program.commands) {
    const example = GROUP_EXAMPLES[group.name()];
    if (example !== undefined) group.addHelpText('after', `\nExample:\n  $ ${example}`);
  }
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.exitOverride().configureOutput(output(io));
    checkRequiredOptionsLast(command);
  }
  return program;
}

/**
 * The exit code of an error: usage mistakes 2, unusable input and other Baton errors 3, a server away 5 or refusing
 * 6, an orchestration that did not succeed 7, anything else 4.
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  if (UsageError.isInstance(error)) return EXIT_CODES.usage;
  if (ServerError.isInstance(error)) return error.failure === 'refused' ? EXIT_CODES.refused : EXIT_CODES.unreachable;
  if (OrchestrationEndedError.isInstance(error)) return EXIT_CODES.orchestrationFailed;
  if (InputError.isInstance(error) || BatonError.isInstance(error)) return EXIT_CODES.input;
  return EXIT_CODES.internal;
}

/** Runs the CLI on `argv` (as in `process.argv`) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await createProgram(io).parseAsync(argv);
    return io.exitCode;
  } catch (error) {
    const code = exitCodeOf(error);
    // commander has already printed its own message (unknown option, missing argument, help).
    if (!(error instanceof CommanderError)) {
      const message = error instanceof Error ? error.message : String(error);
      io.err(code === EXIT_CODES.internal ? `baton: unexpected error: ${message}` : `baton: ${message}`);
    }
    if (debug) for (const stack of stacksOf(error)) io.err(stack);
    return code;
  }
}

/** The stack of an error and of each cause under it (the SDK's error under the CLI's, say). */
function stacksOf(error: unknown): string[] {
  const stacks: string[] = [];
  for (let current = error; current instanceof Error && stacks.length < 5; current = current.cause) {
    if (current.stack) stacks.push(stacks.length === 0 ? current.stack : `Caused by: ${current.stack}`);
  }
  return stacks;
}
