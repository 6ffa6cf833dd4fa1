/** `baton services ls`: the services and agents registered in the project, with their health and instances. */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { printList } from '../render/print-list.js';
import { clip } from '../render/text-format.js';

export function registerServicesCommands(program: Command, io: Io): void {
  const services = program.command('services').description('the services and agents registered in the project');

  services
    .command('ls')
    .description('list services: name, kind, revision, health, connected instances, description')
    .option('--json', 'print the services as a JSON array (with their schemas and instances)')
    .addHelpText('after', '\nExample:\n  $ baton services ls')
    .action(async (options: { json?: boolean }) => {
      const { withProjectClient } = await import('../remote/server-clients.js');
      const items = await withProjectClient((client) => client.services());
      printList(io, items, options.json, {
        headers: ['NAME', 'KIND', 'VERSION', 'HEALTH', 'INSTANCES', 'DESCRIPTION'],
        row: (service) => [
          service.name,
          service.kind,
          `${service.version}${service.declaredVersion ? ` (${service.declaredVersion})` : ''}`,
          service.health,
          String(service.instances.filter((instance) => instance.status === 'up').length),
          clip(service.description, 60),
        ],
        empty: 'No services registered: start one with createService from @baton/sdk.',
      });
    });
}
