/**
 * `baton quickstart` (what `npm start` runs): the whole system on one machine with nothing to set up. It starts the
 * server on SQLite, the example services in processes of their own (connected through the SDK), registers the example
 * plan templates, runs one action in plain words end to end with the live display, and keeps serving, with what to
 * try next, until Ctrl-C. No model, no account, no Docker; with `BATON_LLM_*` set the model plans what no template
 * covers.
 */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { port } from '../options/parse-options.js';

const DEFAULT_FOLDER = '.baton/quickstart';
const FIRST_ACTION = 'Give me a morning briefing for Lisbon';

export function registerQuickstartCommand(program: Command, io: Io): void {
  program
    .command('quickstart')
    .description(
      'start the server with example services and plan templates, run an action in plain words, keep serving',
    )
    .option('--port <port>', 'port to listen on (default: BATON_PORT or 7400)', port('--port'))
    .option('--dir <folder>', 'where its database and state live', DEFAULT_FOLDER)
    .option('--action <text>', 'the action in plain words to run first', FIRST_ACTION)
    .addHelpText('after', '\nExample:\n  $ baton quickstart --port 7400')
    .action(async (options: { port?: number; dir: string; action: string }) => {
      const [{ runQuickstart }, { checkHost, checkServeEnv, envSetting }] = await Promise.all([
        import('../quickstart/run-quickstart.js'),
        import('../options/serve-settings.js'),
      ]);
      checkServeEnv(process.env, { portFlag: true });
      const host = envSetting(process.env, 'BATON_HOST');
      if (host !== undefined) await checkHost(host);
      const fromEnv = process.env.BATON_PORT === undefined ? undefined : port('BATON_PORT')(process.env.BATON_PORT);
      await runQuickstart(io, { ...options, port: options.port ?? fromEnv ?? 7400 });
    });
}
