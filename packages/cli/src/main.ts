/**
 * The `baton` command: builds the commander program, runs it, and turns every failure into a one-line message on
 * stderr — exit code 2 for usage mistakes (bad options, unreadable input), never a stack trace.
 */
import { BatonError } from '@baton/core';
import { Command, CommanderError } from 'commander';
import { registerCacheCommands } from './commands/cache-commands.js';
import { registerEvalCommand } from './commands/eval-command.js';
import { type Io, processIo } from './io.js';

export function createProgram(io: Io): Command {
  const program = new Command('baton')
    .description('Baton: run LLM agents, tools and services together, reliably and cheaply')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
  registerEvalCommand(program, io);
  registerCacheCommands(program, io);
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command
      .exitOverride()
      .configureOutput({ writeOut: (t) => io.out(t.trimEnd()), writeErr: (t) => io.err(t.trimEnd()) });
  }
  return program;
}

/** Runs the CLI on `argv` (as in `process.argv`) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  try {
    await createProgram(io).parseAsync(argv);
    return io.exitCode;
  } catch (error) {
    // commander has already printed its own message (unknown option, missing argument, help).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (BatonError.isInstance(error)) {
      io.err(`baton: ${error.message}`);
      return 2;
    }
    io.err(`baton: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}
