/** `baton services ls`: the services and agents registered in the project, with their health and instances. */
import type { Service } from '@baton/protocol';
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
          instancesUp(service),
          clip(service.description, 60),
        ],
        empty: 'No services registered: start one with createService from @baton/sdk.',
      });
    });
}

/** Instances taking tasks; during a redeploy, how many of them still serve an older revision: `3 (1 on revision 1)`. */
function instancesUp(service: Service): string {
  const up = service.instances.filter((instance) => instance.status === 'up');
  const older = new Map<number, number>();
  for (const { version } of up) {
    if (version !== null && version !== service.version) older.set(version, (older.get(version) ?? 0) + 1);
  }
  const notes = [...older].sort(([a], [b]) => a - b).map(([version, count]) => `${count} on revision ${version}`);
  return notes.length === 0 ? String(up.length) : `${up.length} (${notes.join(', ')})`;
}
