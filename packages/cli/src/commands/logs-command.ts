/** `baton logs ID [-f]`: an orchestration's events, one line each (time, type, step, data in short). */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank } from '../options/parse-options.js';

export function registerLogsCommand(program: Command, io: Io): void {
  program
    .command('logs')
    .description("print an orchestration's events, one line each: time, type, step, data in short")
    .argument('<id>', 'the orchestration id (from baton ps)', nonBlank('<id>'))
    .option('-f, --follow', 'keep printing events until the orchestration ends')
    .option('--json', 'print each event as one JSON object per line')
    .addHelpText(
      'after',
      '\nWithout -f, an orchestration still running shows the events so far (the stream is read until it pauses).\n\nExample:\n  $ baton logs orc_… -f',
    )
    .action(async (id: string, options: { follow?: boolean; json?: boolean }) => {
      const [{ lostWhileFollowing, withProjectClient }, { printEvents }] = await Promise.all([
        import('../remote/server-clients.js'),
        import('../follow/print-events.js'),
      ]);
      const follow = options.follow === true;
      await withProjectClient(
        (client) =>
          printEvents(client, io, id, { follow, json: options.json === true }).catch((error: unknown) => {
            throw follow ? lostWhileFollowing(error, id) : error;
          }),
        undefined,
        { following: follow, onLost: (line) => io.err(line) },
      );
    });
}
