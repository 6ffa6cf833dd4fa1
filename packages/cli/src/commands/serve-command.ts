/**
 * `baton serve [--port 7400] [--host 127.0.0.1] [--db PATH|URL]`: runs the plan engine server until SIGINT or
 * SIGTERM, then hands its running orchestrations back to the store and exits (at once, exit 130, on a second Ctrl-C).
 * It says which database it uses, and that it is new when it created it. The `BATON_*` variables configure the
 * rest (see the README); a generated admin token is printed once, on stderr. A setting that cannot be used (a
 * port that is not a number, a host that does not resolve, a database path through a file) is a usage error naming
 * it, found before anything is created.
 */
import type { Command } from 'commander';
import { EXIT_CODES } from '../exit-codes.js';
import type { Io } from '../io.js';
import { listenUsageError } from '../listen-usage-error.js';
import { port } from '../options/parse-options.js';
import { serverSettingError } from '../server-setting-error.js';
import { untilStopped, untilStoppedAgain } from '../until-stopped.js';

export function registerServeCommand(program: Command, io: Io): void {
  program
    .command('serve')
    .description('run the plan engine server: HTTP API, /docs, and the socket services connect to')
    .option('--port <port>', 'port to listen on (default: BATON_PORT or 7400)', port('--port'))
    .option('--host <host>', 'address to listen on (default: BATON_HOST or 127.0.0.1)')
    .option('--db <path|url>', 'SQLite file or postgres:// URL (default: BATON_DATABASE_URL or .baton/server.db)')
    .addHelpText('after', '\nExample:\n  $ baton serve --port 7400 --db .baton/server.db')
    .action(async (options: { port?: number; host?: string; db?: string }) => {
      const [{ startServer, serverOptionsFromEnv, DEFAULT_SERVER_DATABASE }, { checkServeSettings }, { closeWithin }] =
        await Promise.all([
          import('@baton/server'),
          import('../options/serve-settings.js'),
          import('../quickstart/stop-quickstart.js'),
        ]);
      const { database, databaseShown } = await checkServeSettings(options, process.env, DEFAULT_SERVER_DATABASE);
      const server = await startServer({
        ...serverOptionsFromEnv(),
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.host === undefined ? {} : { host: options.host }),
        ...(options.db === undefined ? {} : { databaseUrl: options.db }),
      }).catch((error: unknown) => {
        throw (
          listenUsageError(error, {
            port: 'baton serve --port <port>, or BATON_PORT',
            host: 'baton serve --host <address>, or BATON_HOST',
          }) ??
          serverSettingError(error, database) ??
          error
        );
      });
      // Listening before saying it is up: a signal right after that line must stop the server cleanly too.
      const stopped = untilStopped();
      io.err(`Baton server on ${server.url} (API reference: ${server.url}/docs)`);
      io.err(`Database: ${databaseShown}`);
      if (server.adminToken !== undefined) {
        io.err(`Admin token, shown once (only its hash is stored): ${server.adminToken}`);
      } else if (process.env.BATON_ADMIN_TOKEN === undefined) {
        io.err(
          'Admin token: the one printed at the first start, or the BATON_ADMIN_TOKEN an earlier start was given (lost it? start with BATON_ADMIN_TOKEN=badm_$(openssl rand -hex 32), a new one of your own)',
        );
      }
      await stopped;
      const again = untilStoppedAgain(Date.now());
      io.err('Stopping the server… (Ctrl-C again to stop at once)');
      const ended = await closeWithin(server.close(), again.signal);
      again.cancel();
      if (ended === 'closed') {
        io.err('Stopped. Orchestrations under way are kept in the database and go on at the next start.');
        return;
      }
      io.err(
        `Stopped at once (${ended === 'again' ? 'Ctrl-C again' : 'the clean stop took too long'}): nothing is lost, orchestrations under way go on at the next start, as after a crash.`,
      );
      process.exit(EXIT_CODES.interrupted);
    });
}
