/** `baton approvals ls | approve ID [--data JSON] | reject ID --reason TEXT`: the steps waiting for a person. */
import { type Command, Option } from 'commander';
import type { Io } from '../io.js';
import { jsonValue, nonBlank, oneOf } from '../options/parse-options.js';
import { printItem, printList } from '../render/print-list.js';
import { clip, formatTime } from '../render/text-format.js';
import { UsageError } from '../usage-error.js';

const remote = () => import('../remote/server-clients.js');
const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'withdrawn'] as const;

export function registerApprovalsCommands(program: Command, io: Io): void {
  const approvals = program.command('approvals').description('approve or reject the steps that wait for a person');

  approvals
    .command('ls')
    .description("list the project's approvals")
    .option(`--status <status>`, `only these: ${APPROVAL_STATUSES.join(', ')}`, oneOf('--status', APPROVAL_STATUSES))
    .option('--json', 'print the approvals as a JSON array')
    .addHelpText('after', '\nExample:\n  $ baton approvals ls --status pending')
    .action(async (options: { status?: (typeof APPROVAL_STATUSES)[number]; json?: boolean }) => {
      const { withProjectClient } = await remote();
      const items = await withProjectClient((client) =>
        client.approvals(options.status === undefined ? {} : { status: options.status }),
      );
      printList(io, items, options.json, {
        headers: ['ID', 'ORCHESTRATION', 'STEP', 'STATUS', 'EXPIRES', 'PROMPT'],
        row: (item) => [
          item.id,
          item.orchestrationId,
          item.stepId,
          item.status,
          formatTime(item.expiresAt),
          clip(item.prompt, 50),
        ],
        empty: 'No approvals.',
      });
    });

  approvals
    .command('approve')
    .description('approve: the orchestration goes on (with --data as the approved data)')
    .argument('<id>', 'the approval id (from baton approvals ls)', nonBlank('<id>'))
    .option('--data <json>', 'the approved data, as JSON', jsonValue('--data'))
    // `baton run` names its JSON data --data-json: the same name works here.
    .addOption(new Option('--data-json <json>').argParser(jsonValue('--data-json')).hideHelp())
    .option('--json', 'print the decided approval as JSON')
    .addHelpText('after', '\nExample:\n  $ baton approvals approve 554c042d-… --data \'{"amount": 120}\'')
    .action(async (id: string, options: { data?: unknown; dataJson?: unknown; json?: boolean }) => {
      if (options.data !== undefined && options.dataJson !== undefined)
        throw new UsageError('give the approved data once: --data or --data-json, not both');
      const data = options.data ?? options.dataJson;
      const { withProjectClient } = await remote();
      const approval = await withProjectClient((client) => client.approve(id, data));
      printItem(io, approval, options.json, () => [`Approval ${approval.id} ${approval.status}.`]);
    });

  approvals
    .command('reject')
    .description('reject: the orchestration takes its rejection path')
    .argument('<id>', 'the approval id (from baton approvals ls)', nonBlank('<id>'))
    .requiredOption('--reason <text>', 'why, kept with the decision', nonBlank('--reason'))
    .option('--json', 'print the decided approval as JSON')
    .addHelpText('after', '\nExample:\n  $ baton approvals reject 554c042d-… --reason "amount too high"')
    .action(async (id: string, options: { reason: string; json?: boolean }) => {
      const { withProjectClient } = await remote();
      const approval = await withProjectClient((client) => client.reject(id, options.reason));
      printItem(io, approval, options.json, () => [`Approval ${approval.id} ${approval.status}.`]);
    });
}
