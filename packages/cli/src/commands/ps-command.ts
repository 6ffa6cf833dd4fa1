/** `baton ps [--status S] [--limit N]`: the project's orchestrations, newest first. */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { oneOf, positiveInteger } from '../options/parse-options.js';
import { printList } from '../render/print-list.js';
import { clip, formatTime } from '../render/text-format.js';

export function registerPsCommand(program: Command, io: Io): void {
  program
    .command('ps')
    .description('list orchestrations, newest first: id, status, action, created, finished')
    .option('--status <status>', 'only these: planning, running, waiting, compensating, succeeded, failed, cancelled')
    .option('--limit <n>', 'how many, 1 to 200', positiveInteger('--limit', 200), 20)
    .option('--json', 'print the orchestrations as a JSON array')
    .addHelpText('after', '\nExample:\n  $ baton ps --status failed --limit 5')
    .action(async (options: { status?: string; limit: number; json?: boolean }) => {
      const [{ withProjectClient }, { ORCHESTRATION_STATUSES }] = await Promise.all([
        import('../remote/server-clients.js'),
        import('@baton/protocol'),
      ]);
      const status =
        options.status === undefined
          ? undefined
          : (oneOf('--status', ORCHESTRATION_STATUSES)(options.status) as (typeof ORCHESTRATION_STATUSES)[number]);
      const page = await withProjectClient((client) => client.list({ status, limit: options.limit }));
      printList(io, page.items, options.json, {
        headers: ['ID', 'STATUS', 'ACTION', 'CREATED', 'FINISHED'],
        row: (item) => [
          item.id,
          item.status,
          clip(item.action.content, 40),
          formatTime(item.createdAt),
          formatTime(item.finishedAt),
        ],
        empty: options.status === undefined ? 'No orchestrations yet.' : `No ${options.status} orchestrations.`,
      });
      if (options.json !== true && page.nextCursor !== null) io.out(`(more: ${moreCommand(status, options.limit)})`);
    });
}

/** The same `baton ps`, filters kept, asking for twice as many (200 at most). */
export function moreCommand(status: string | undefined, limit: number): string {
  const filter = status === undefined ? '' : ` --status ${status}`;
  return `baton ps${filter} --limit ${Math.min(200, limit * 2)}`;
}
