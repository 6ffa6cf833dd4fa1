/** `baton webhooks add URL [--events a,b] | ls | rm ID`: where the project's events are delivered, signed. */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { commaList, nonBlank } from '../options/parse-options.js';
import { printItem, printList } from '../render/print-list.js';
import { formatTime } from '../render/text-format.js';

const remote = () => import('../remote/server-clients.js');

export function registerWebhooksCommands(program: Command, io: Io): void {
  const webhooks = program.command('webhooks').description("register, list and remove the project's webhooks");

  webhooks
    .command('add')
    .description('register a webhook (its signing secret is shown only here)')
    .argument('<url>', 'the http(s) URL that receives the events', nonBlank('<url>'))
    .option(
      '--events <types>',
      'comma-separated event types, e.g. orchestration.succeeded,orchestration.failed; a trailing * matches a prefix (orchestration.*); all when absent',
      commaList('--events'),
    )
    .option('--json', 'print the created webhook as JSON')
    .addHelpText('after', '\nExample:\n  $ baton webhooks add https://example.com/baton --events orchestration.*')
    .action(async (url: string, options: { events?: string[]; json?: boolean }) => {
      const { withProjectClient } = await remote();
      const created = await withProjectClient((client) =>
        client.webhooks.create(options.events === undefined ? { url } : { url, events: options.events }),
      );
      printItem(io, created, options.json, () => [
        `Webhook ${created.id} → ${created.url} (${created.events?.join(', ') ?? 'every event'})`,
        `Signing secret (shown only now): ${created.secret}`,
      ]);
    });

  webhooks
    .command('ls')
    .description("list the project's webhooks")
    .option('--json', 'print the webhooks as a JSON array')
    .addHelpText('after', '\nExample:\n  $ baton webhooks ls')
    .action(async (options: { json?: boolean }) => {
      const { withProjectClient } = await remote();
      const items = await withProjectClient((client) => client.webhooks.list());
      printList(io, items, options.json, {
        headers: ['ID', 'URL', 'EVENTS', 'CREATED'],
        row: (hook) => [hook.id, hook.url, hook.events?.join(',') ?? '*', formatTime(hook.createdAt)],
        empty: 'No webhooks.',
      });
    });

  webhooks
    .command('rm')
    .description('remove a webhook')
    .argument('<id>', 'the webhook id (from baton webhooks ls)', nonBlank('<id>'))
    .addHelpText('after', '\nExample:\n  $ baton webhooks rm wh_…')
    .action(async (id: string) => {
      const { withProjectClient } = await remote();
      await withProjectClient((client) => client.webhooks.remove(id));
      io.out(`Webhook ${id} removed.`);
    });
}
