/** `baton inspect ID [--detailed]`: one orchestration in full: status, plan tree, steps, result or error, planning. */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank } from '../options/parse-options.js';
import { orchestrationDetails } from '../render/orchestration-details.js';
import { printItem } from '../render/print-list.js';

export function registerInspectCommand(program: Command, io: Io): void {
  program
    .command('inspect')
    .description(
      'show an orchestration: status, how its plan was chosen, the plan tree with every step (status, service, attempts, time), the result or the error',
    )
    .argument('<id>', 'the orchestration id (from baton ps)', nonBlank('<id>'))
    .option('--detailed', "also every step's input, output, error and usage")
    .option('--json', 'print the orchestration as JSON (everything --detailed shows)')
    .addHelpText('after', '\nExample:\n  $ baton inspect orc_… --detailed')
    .action(async (id: string, options: { detailed?: boolean; json?: boolean }) => {
      const { withProjectClient } = await import('../remote/server-clients.js');
      const orchestration = await withProjectClient((client) => client.get(id));
      printItem(io, orchestration, options.json, () =>
        orchestrationDetails(orchestration, { detailed: options.detailed === true }),
      );
    });
}
