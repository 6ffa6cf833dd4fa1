/**
 * `baton cancel ID [--reason TEXT]` and `baton retry ID [--timeout MS]`: stop an orchestration (its running steps are told, finished
 * ones undone), or run a failed or cancelled one again from its failed steps. A 409 (already ended, not failed) is
 * the server's refusal as one line, exit code 6.
 */
import type { Orchestration } from '@baton/protocol';
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank, positiveInteger } from '../options/parse-options.js';
import { printItem } from '../render/print-list.js';

const remote = () => import('../remote/server-clients.js');

export function registerCancelCommand(program: Command, io: Io): void {
  program
    .command('cancel')
    .description('cancel an orchestration: its running steps are told to stop, its finished ones are undone')
    .argument('<id>', 'the orchestration id (from baton ps)', nonBlank('<id>'))
    .option('--reason <text>', 'why, kept with the orchestration', nonBlank('--reason'))
    .option('--json', 'print the orchestration as JSON')
    .addHelpText(
      'after',
      '\nExit code 6 when the orchestration has already ended.\n\nExample:\n  $ baton cancel orc_… --reason "wrong city"',
    )
    .action(async (id: string, options: { reason?: string; json?: boolean }) => {
      const { withProjectClient } = await remote();
      const orchestration = await withProjectClient((client) => client.cancel(id, options.reason));
      printItem(io, orchestration, options.json, () => [cancelledLine(orchestration)]);
    });
}

export function registerRetryCommand(program: Command, io: Io): void {
  program
    .command('retry')
    .description('run a failed or cancelled orchestration again from its failed steps, reusing what succeeded')
    .argument('<id>', 'the orchestration id (from baton ps)', nonBlank('<id>'))
    .option(
      '--timeout <ms>',
      "the retry's deadline (by default the orchestration's own --timeout, counted from the retry)",
      positiveInteger('--timeout'),
    )
    .option('--json', 'print the accepted orchestration as JSON')
    .addHelpText(
      'after',
      '\nExit code 6 when the orchestration has not failed or been cancelled.\n\nExample:\n  $ baton retry orc_… --timeout 60000',
    )
    .action(async (id: string, options: { timeout?: number; json?: boolean }) => {
      const { withProjectClient } = await remote();
      const given = options.timeout === undefined ? {} : { timeoutMs: options.timeout };
      const run = await withProjectClient((client) => client.retry(id, given));
      const accepted = { id: run.id, status: run.status, plan: run.plan, parallelGroups: run.parallelGroups };
      printItem(io, accepted, options.json, () => [
        `Orchestration ${run.id} ${run.status} again: baton logs ${run.id} -f follows it`,
      ]);
    });
}

/** `Orchestration orc_… cancelled.`, or that it is on its way there (undoing finished steps takes time). */
function cancelledLine(orchestration: Orchestration): string {
  const { id, status } = orchestration;
  if (status === 'cancelled') return `Orchestration ${id} cancelled.`;
  // Not its status now: a run parked for an approval shows `running` while it wakes up to be cancelled.
  return `Orchestration ${id} is being cancelled: baton logs ${id} -f follows it to the end`;
}
