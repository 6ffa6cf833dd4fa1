/** `baton api-keys add NAME | ls | rm ID`: the API keys of the logged-in project. */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank } from '../options/parse-options.js';
import { printItem, printList } from '../render/print-list.js';
import { formatTime } from '../render/text-format.js';

const remote = () => import('../remote/server-clients.js');

export function registerApiKeysCommands(program: Command, io: Io): void {
  const keys = program.command('api-keys').description("create, list and revoke the project's API keys");

  keys
    .command('add')
    .description('create an API key (the key is shown only here)')
    .argument('<name>', 'what the key is for, e.g. ci', nonBlank('<name>'))
    .option('--json', 'print the created key as JSON')
    .addHelpText('after', '\nExample:\n  $ baton api-keys add ci')
    .action(async (name: string, options: { json?: boolean }) => {
      const { withProjectClient } = await remote();
      const created = await withProjectClient((client) => client.apiKeys.create(name));
      printItem(io, created, options.json, () => [
        `API key ${created.name} (${created.id}) created.`,
        `Key (shown only now, store it safely): ${created.key}`,
      ]);
    });

  keys
    .command('ls')
    .description("list the project's live keys (by prefix; never the keys)")
    .option('--json', 'print the keys as a JSON array')
    .addHelpText('after', '\nExample:\n  $ baton api-keys ls')
    .action(async (options: { json?: boolean }) => {
      const { withProjectClient } = await remote();
      const items = await withProjectClient((client) => client.apiKeys.list());
      printList(io, items, options.json, {
        headers: ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED'],
        row: (key) => [key.id, key.name, key.prefix, formatTime(key.createdAt), formatTime(key.lastUsedAt)],
        empty: 'No API keys.',
      });
    });

  keys
    .command('rm')
    .description('revoke a key at once (sockets open with it are closed)')
    .argument('<id>', 'the key id (from baton api-keys ls)', nonBlank('<id>'))
    .addHelpText('after', '\nExample:\n  $ baton api-keys rm key_…')
    .action(async (id: string) => {
      const { withProjectClient } = await remote();
      await withProjectClient((client) => client.apiKeys.revoke(id));
      io.out(`API key ${id} revoked.`);
    });
}
