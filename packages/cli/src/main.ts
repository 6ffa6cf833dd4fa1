/**
 * The `baton` command: builds the commander program, runs it, and turns every failure into one line on stderr and
 * an exit code (see `EXIT_CODES`); the stack only with `--debug`.
 */
import { BatonError } from '@baton/core/errors';
import { Command, CommanderError } from 'commander';
import { registerCacheCommands } from './commands/cache-commands.js';
import { registerEvalCommand } from './commands/eval-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes.js';
import { InputError } from './input-error.js';
import { type Io, processIo } from './io.js';
import { UsageError } from './usage-error.js';

export function createProgram(io: Io): Command {
  const program = new Command('baton')
    .description('Baton: run LLM agents, tools and services together, reliably and cheaply')
    .option('--debug', 'print the stack of an error')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
  registerEvalCommand(program, io);
  registerCacheCommands(program, io);
  registerServeCommand(program, io);
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command
      .exitOverride()
      .configureOutput({ writeOut: (t) => io.out(t.trimEnd()), writeErr: (t) => io.err(t.trimEnd()) });
  }
  return program;
}

/** The exit code of an error: usage mistakes 2, unusable input and other Baton errors 3, anything else 4. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  if (UsageError.isInstance(error)) return EXIT_CODES.usage;
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
    if (debug && error instanceof Error && error.stack) io.err(error.stack);
    return code;
  }
}
