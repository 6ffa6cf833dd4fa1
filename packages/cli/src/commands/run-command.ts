/**
 * `baton run "<action>" [-d key=value …] [--data-json JSON] [--plan FILE] [--wait] [--timeout MS]`: submits an
 * orchestration and shows its plan as a tree of parallel groups; with `--wait`, or when stdout is a terminal,
 * follows every step to the end and prints the result. With --plan the action may be left out: the orchestration is
 * then called after the plan file. See `follow/run-action.ts`.
 *
 * `baton run agent.yaml --query "…"` (a first argument ending in .yaml or .yml, or naming a file that is an agent
 * file) runs the agent that file declares in this process instead, printing its tool calls and answer. See
 * `agent/run-agent-file.ts`.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { dataField, jsonValue, nonEmptyText, positiveInteger } from '../options/parse-options.js';
import { UsageError } from '../usage-error.js';

const EXAMPLES = `
With --plan the action may be left out: the orchestration is then called "Run <plan file name>".
Without --plan the server plans the action in words (templates, its plan cache, then a model); the plan is shown
as soon as it is made. On a terminal every step is shown live (waiting, waiting-for-service, running with its
elapsed time, retrying, done, failed, skipped); otherwise one line per change of a step's state.

-d values: numbers, true, false and null are read as JSON, anything else as a string. Keys are flat:
-d a.b=1 sets the key "a.b" (use --data-json for nested values).

Exit code 7 when the orchestration failed or was cancelled, or the model could not plan its action; 6 when the server
refuses it (an action no template covers, on a server without a model, is such a 422).

Without --plan, an argument ending in .yaml or .yml is an agent file (so is an existing file given with --query, or
one that reads as an agent file, whatever its name): the agent runs here, not on a server, with --query as its
question; its runs are kept in .baton/agents/<name>.db so a run cut short resumes (--run-id names it; --memory keeps
nothing). --json prints one JSON object per event, then the result.

Examples:
  $ baton run "What's the weather in Paris?" -d city=Paris --wait
  $ baton run agent.yaml --query "Will it rain in Oslo tomorrow?"
  $ baton run "Summarise two cities" --plan plan.json --data-json '{"first":"Paris","second":"Lisbon"}' --wait
  $ baton run --plan plan.json -d city=Braga --wait`;

/**
 * An argument ending in .yaml or .yml names an agent file; so does an existing file given with --query, or one that
 * reads as an agent file (`./agent` with no extension), rather than being sent to a server as an action in words.
 */
async function isAgentFile(action: string, query: string | undefined): Promise<boolean> {
  if (/\.ya?ml$/i.test(action)) return true;
  const file = await stat(action).catch(() => undefined);
  if (!file?.isFile()) return false;
  if (query !== undefined) return true;
  const [{ parseAgentFile }, text] = await Promise.all([import('@baton/llm'), readFile(action, 'utf8')]);
  try {
    parseAgentFile(text, action);
    return true;
  } catch {
    return false;
  }
}

export function registerRunCommand(program: Command, io: Io): void {
  program
    .command('run')
    .description('submit an orchestration (an action in words, or --plan FILE), show its plan and follow it')
    .argument('[action]', 'what to do, in plain words (optional with --plan)', nonEmptyText('<action>', 'action'))
    .option('-d, --data <key=value>', 'a field of the request data (repeatable)', dataField)
    .option(
      '--data-json <json>',
      'the request data as a JSON object; -d fields are set over it',
      jsonValue('--data-json', 'object'),
    )
    .option('--plan <file>', 'run this JSON plan instead of having the server plan the action')
    .option('--wait', 'follow the orchestration to its end (the default when stdout is a terminal)')
    .option(
      '--timeout <ms>',
      "the orchestration's deadline: the server fails it after this many milliseconds",
      positiveInteger('--timeout'),
    )
    .option('--json', 'print the accepted orchestration as JSON; with --wait the final one')
    .option('--query <text>', 'agent files: the question to ask', nonEmptyText('--query', 'question'))
    .option(
      '--run-id <id>',
      'agent files: names the run; the same id again follows or resumes it',
      nonEmptyText('--run-id', 'id'),
    )
    .option('--memory', 'agent files: keep the run in memory instead of .baton/agents/')
    .addHelpText('after', EXAMPLES)
    .action(
      async (
        given: string | undefined,
        options: {
          data?: Array<readonly [string, unknown]>;
          dataJson?: Record<string, unknown>;
          plan?: string;
          wait?: boolean;
          timeout?: number;
          json?: boolean;
          query?: string;
          runId?: string;
          memory?: boolean;
        },
      ) => {
        const action = given ?? actionOfPlan(options.plan);
        // With a plan the argument is the action in words, whatever it ends with ("Count the words in notes.yaml").
        if (options.plan === undefined && (await isAgentFile(action, options.query))) {
          const { runAgentFile } = await import('../agent/run-agent-file.js');
          return runAgentFile(io, action, options);
        }
        const { runAction } = await import('../follow/run-action.js');
        await runAction(io, action, { ...options, hintOnInterrupt: true });
      },
    );
}

/** The action of a `baton run --plan FILE` given none: named after the plan file. */
function actionOfPlan(plan: string | undefined): string {
  if (plan === undefined) {
    throw new UsageError(
      `baton run needs an action in words (baton run "What's the weather in Paris?"), a --plan FILE, or an agent file`,
    );
  }
  return `Run ${basename(plan)}`;
}
