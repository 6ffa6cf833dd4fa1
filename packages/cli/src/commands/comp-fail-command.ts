/**
 * `baton comp-fail ls | resolve ID --reason TEXT | ignore ID --reason TEXT`: compensations that failed for good, and
 * closing them once a person has handled them.
 */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank, oneOf } from '../options/parse-options.js';
import { printItem, printList } from '../render/print-list.js';
import { formatTime, shortJson } from '../render/text-format.js';

const remote = () => import('../remote/server-clients.js');
const STATUSES = ['open', 'resolved', 'ignored'] as const;

export function registerCompFailCommands(program: Command, io: Io): void {
  const failures = program
    .command('comp-fail')
    .description('compensations that failed for good: list them, and mark them resolved or ignored');

  failures
    .command('ls')
    .description('list failed compensations')
    .option('--status <status>', `only these: ${STATUSES.join(', ')}`, oneOf('--status', STATUSES))
    .option('--json', 'print them as a JSON array')
    .addHelpText('after', '\nExample:\n  $ baton comp-fail ls --status open')
    .action(async (options: { status?: (typeof STATUSES)[number]; json?: boolean }) => {
      const { withProjectClient } = await remote();
      const items = await withProjectClient((client) =>
        client.compensationFailures.list(options.status === undefined ? {} : { status: options.status }),
      );
      printList(io, items, options.json, {
        headers: ['ID', 'ORCHESTRATION', 'STEP', 'SERVICE', 'STATUS', 'CREATED', 'ERROR'],
        row: (item) => [
          item.id,
          item.orchestrationId,
          item.stepId,
          item.service,
          item.status,
          formatTime(item.createdAt),
          shortJson((item.error as { message?: unknown } | null)?.message ?? item.error, 50),
        ],
        empty: 'No failed compensations.',
      });
    });

  for (const [name, description, example] of [
    ['resolve', 'mark resolved: the effect was undone by other means', 'refunded by hand'],
    ['ignore', 'mark ignored: the effect may stay', 'test order'],
  ] as const) {
    failures
      .command(name)
      .description(description)
      .argument('<id>', 'the failed compensation id (from baton comp-fail ls)', nonBlank('<id>'))
      .requiredOption('--reason <text>', 'why, kept with the decision', nonBlank('--reason'))
      .option('--json', 'print the closed compensation failure as JSON')
      .addHelpText('after', `\nExample:\n  $ baton comp-fail ${name} cf_… --reason "${example}"`)
      .action(async (id: string, options: { reason: string; json?: boolean }) => {
        const { withProjectClient } = await remote();
        const closed = await withProjectClient((client) => client.compensationFailures[name](id, options.reason));
        printItem(io, closed, options.json, () => [`Compensation failure ${closed.id} ${closed.status}.`]);
      });
  }
}
