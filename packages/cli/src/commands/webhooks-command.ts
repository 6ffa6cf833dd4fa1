/**
 * `baton webhooks add URL [--events a,b] | ls | rm ID | deliveries ID [--limit N]`: where the project's events are
 * delivered, signed, and how each delivery went.
 */
import type { Delivery } from '@baton/protocol';
import type { WebhooksApi } from '@baton/sdk';
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { commaList, nonBlank, positiveInteger } from '../options/parse-options.js';
import { printItem, printList } from '../render/print-list.js';
import { clip, formatTime } from '../render/text-format.js';

const remote = () => import('../remote/server-clients.js');

/** The most `deliveries --limit` lists; they are read in pages of the server's largest size. */
const MAX_DELIVERIES = 1000;
const SERVER_PAGE = 100;

export function registerWebhooksCommands(program: Command, io: Io): void {
  const webhooks = program
    .command('webhooks')
    .description("register, list and remove the project's webhooks, and list each one's deliveries");

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

  webhooks
    .command('deliveries')
    .description("list a webhook's deliveries, newest first: event, status, attempts, last answer, when")
    .argument('<id>', 'the webhook id (from baton webhooks ls)', nonBlank('<id>'))
    .option('--limit <n>', `how many, 1 to ${MAX_DELIVERIES}`, positiveInteger('--limit', MAX_DELIVERIES), 20)
    .option('--json', 'print the deliveries as a JSON array')
    .addHelpText('after', '\nExample:\n  $ baton webhooks deliveries wh_… --limit 50')
    .action(async (id: string, options: { limit: number; json?: boolean }) => {
      const { withProjectClient } = await remote();
      const page = await withProjectClient((client) => newestDeliveries(client.webhooks, id, options.limit));
      printList(io, page.items, options.json, {
        headers: ['ID', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST ANSWER', 'CREATED', 'DELIVERED / NEXT TRY'],
        row: (delivery) => [
          delivery.id,
          delivery.eventType,
          delivery.status,
          String(delivery.attempts),
          lastAnswer(delivery),
          formatTime(delivery.createdAt),
          deliveredOrNext(delivery),
        ],
        empty: `No deliveries for webhook ${id} yet.`,
      });
      if (options.json !== true && page.more) {
        io.out(`(more: baton webhooks deliveries ${id} --limit ${Math.min(MAX_DELIVERIES, options.limit * 2)})`);
      }
    });
}

/** The `limit` newest deliveries of webhook `id`, page after page, and whether there are more. */
async function newestDeliveries(webhooks: WebhooksApi, id: string, limit: number) {
  const items: Delivery[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await webhooks.deliveries(id, { limit: Math.min(SERVER_PAGE, limit - items.length), cursor });
    items.push(...page.items);
    if (page.nextCursor === null) return { items, more: false };
    if (items.length >= limit) return { items, more: true };
    cursor = page.nextCursor;
  }
}

/** `HTTP 200`, or why the last attempt failed (`HTTP 503`, `connect ECONNREFUSED …`); `-` before the first. */
function lastAnswer(delivery: Delivery): string {
  if (delivery.lastError !== null) return clip(delivery.lastError, 40);
  return delivery.lastStatusCode === null ? '-' : `HTTP ${delivery.lastStatusCode}`;
}

function deliveredOrNext(delivery: Delivery): string {
  if (delivery.deliveredAt !== null) return formatTime(delivery.deliveredAt);
  return delivery.nextAttemptAt === null ? '-' : `next ${formatTime(delivery.nextAttemptAt)}`;
}
