/**
 * `baton version`: the CLI's version and the configured server's (`GET /health`, which needs no key). The CLI's
 * version is printed in any case: with no server configured, exit code 2 (nothing to ask, as for every command that
 * needs one); with a server that cannot be reached, 5.
 */
import type { Command } from 'commander';
import { CLI_VERSION } from '../cli-version.js';
import type { Io } from '../io.js';
import { UsageError } from '../usage-error.js';

export function registerVersionCommand(program: Command, io: Io): void {
  program
    .command('version')
    .description("print the CLI's version and the server's (baton --version prints the CLI's only)")
    .option('--json', 'print { cli, server, url } as JSON')
    .addHelpText('after', '\nExample:\n  $ baton version')
    .action(async (options: { json?: boolean }) => {
      const { configuredConnection } = await import('../config/connection.js');
      let failure: unknown;
      // A URL written wrong is this command's failure too, after the CLI's version.
      const { url, apiKey } = await configuredConnection().catch((error: unknown) => {
        failure = error;
        return { url: undefined, apiKey: undefined };
      });
      let server: string | null = null;
      if (url === undefined) {
        failure ??= new UsageError('no server configured: run baton login --url URL --key KEY, or set BATON_URL');
      } else {
        const [{ withProjectClient }, { checkHealth }] = await Promise.all([
          import('../remote/server-clients.js'),
          import('../remote/server-health.js'),
        ]);
        // `/health` needs no key; the client wants one to be built, and never sends it on a probe.
        const connection = { url, apiKey: apiKey ?? 'no-key' };
        server = await withProjectClient((client) => checkHealth(client, url), connection).catch((error: unknown) => {
          failure = error;
          return null;
        });
      }
      if (options.json === true) io.out(JSON.stringify({ cli: CLI_VERSION, server, url: url ?? null }, null, 2));
      else {
        const shown = url === undefined ? 'not configured' : server === null ? 'unknown' : `${server} at ${url}`;
        io.out(`baton ${CLI_VERSION}\nserver ${shown}`);
      }
      if (failure !== undefined) throw failure;
    });
}
