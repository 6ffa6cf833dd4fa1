/**
 * `baton login --url URL --key KEY`: checks that a Baton server answers at the URL (`GET /health`) and that the
 * project key works (`GET /v1/services`), then saves both in `~/.baton/config.json` (0600). `BATON_URL` and
 * `BATON_API_KEY` still win over the file, and the saved key is only sent to the URL it was saved for.
 */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank } from '../options/parse-options.js';

export function registerLoginCommand(program: Command, io: Io): void {
  program
    .command('login')
    .description('check a server and a project API key, and save them for the other commands (~/.baton/config.json)')
    .requiredOption('--url <url>', 'the Baton server, e.g. http://127.0.0.1:7400', nonBlank('--url'))
    .requiredOption(
      '--key <key>',
      'a project API key (bk_…), from baton projects add or baton api-keys add',
      nonBlank('--key'),
    )
    .option('--json', 'print { url, serverVersion, configPath } as JSON')
    .addHelpText(
      'after',
      '\nBATON_URL and BATON_API_KEY, when set, are used instead of the saved file; the saved key is only sent to the\nURL it was saved for.\n\nExample:\n  $ baton login --url http://127.0.0.1:7400 --key bk_…',
    )
    .action(async (options: { url: string; key: string; json?: boolean }) => {
      const [{ withProjectClient }, { checkHealth }, { writeConfig }] = await Promise.all([
        import('../remote/server-clients.js'),
        import('../remote/server-health.js'),
        import('../config/cli-config.js'),
      ]);
      const connection = { url: options.url.replace(/\/+$/, ''), apiKey: options.key };
      const serverVersion = await withProjectClient(
        async (client) => {
          const version = await checkHealth(client, connection.url);
          await client.services();
          return version;
        },
        connection,
        { credential: 'login-key' },
      );
      const configPath = await writeConfig(connection);
      if (options.json === true) {
        io.out(JSON.stringify({ url: connection.url, serverVersion, configPath }, null, 2));
        return;
      }
      io.out(`Logged in to ${connection.url} (Baton server ${serverVersion}); saved in ${configPath}`);
    });
}
