/** `baton projects add NAME | ls`: the server's projects, with the admin token (`--admin-token` or `BATON_ADMIN_TOKEN`). */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank } from '../options/parse-options.js';
import { printItem, printList } from '../render/print-list.js';
import { formatTime } from '../render/text-format.js';
import { ServerError } from '../server-error.js';

const ADMIN_TOKEN = ['--admin-token <token>', 'the server admin token (default: BATON_ADMIN_TOKEN)'] as const;
const remote = () => import('../remote/server-clients.js');

export function registerProjectsCommands(program: Command, io: Io): void {
  const projects = program
    .command('projects')
    .description('create and list projects (server admin: --admin-token or BATON_ADMIN_TOKEN)');

  projects
    .command('add')
    .description('create a project and its first API key (the key is shown only here)')
    .argument('<name>', 'the project name', nonBlank('<name>'))
    .option(...ADMIN_TOKEN)
    .option('--json', 'print { project, apiKey } as JSON')
    .addHelpText('after', '\nExample:\n  $ baton projects add billing --admin-token badm_…')
    .action(async (name: string, options: { adminToken?: string; json?: boolean }) => {
      const { withAdminClient } = await remote();
      const created = await withAdminClient(options.adminToken, (admin) => admin.createProject(name)).catch(
        (error: unknown) => {
          throw nameTaken(error, name) ?? error;
        },
      );
      printItem(io, created, options.json, () => [
        `Project ${created.project.name} (${created.project.id}) created.`,
        `API key (shown only now, store it safely): ${created.apiKey.key}`,
        `Use it: baton login --url <server URL> --key ${created.apiKey.key}`,
      ]);
    });

  projects
    .command('ls')
    .description('list every project')
    .option(...ADMIN_TOKEN)
    .option('--json', 'print the projects as a JSON array')
    .addHelpText('after', '\nExample:\n  $ baton projects ls --admin-token badm_…')
    .action(async (options: { adminToken?: string; json?: boolean }) => {
      const { withAdminClient } = await remote();
      const items = await withAdminClient(options.adminToken, (admin) => admin.projects());
      printList(io, items, options.json, {
        headers: ['ID', 'NAME', 'CREATED'],
        row: (project) => [project.id, project.name, formatTime(project.createdAt)],
        empty: 'No projects yet: baton projects add NAME',
      });
    });
}

/** The server's 409 `project-name-taken`, said as a person at the terminal fixes it. */
function nameTaken(error: unknown, name: string): ServerError | undefined {
  if (
    !ServerError.isInstance(error) ||
    (error.cause as { code?: unknown } | undefined)?.code !== 'project-name-taken'
  ) {
    return undefined;
  }
  return new ServerError(
    'refused',
    `a project named "${name.trim()}" exists already (409 project-name-taken): choose another name; baton projects ls lists them`,
    { status: 409, cause: error.cause },
  );
}
