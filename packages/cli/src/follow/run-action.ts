/**
 * What `baton run` does once its options are parsed: submits the orchestration, prints its plan (or that the server
 * is planning it), follows it when asked or on a terminal, and ends with its result, or an `OrchestrationEndedError`
 * that says how it ended.
 */
import type { Orchestration } from '@baton/protocol';
import { OrchestrationFailedError } from '@baton/sdk';
import { InputError } from '../input-error.js';
import { canRedraw, type Io, isTerminal } from '../io.js';
import { readJsonObject } from '../options/read-json-file.js';
import { OrchestrationEndedError } from '../orchestration-ended-error.js';
import { followingClient, lostWhileFollowing, withProjectClient } from '../remote/server-clients.js';
import { formatDuration } from '../render/text-format.js';
import { followOrchestration, planLines } from './follow-orchestration.js';
import { hintOnInterrupt } from './interrupt-hint.js';

export interface RunOptions {
  data?: ReadonlyArray<readonly [string, unknown]>;
  dataJson?: Record<string, unknown>;
  plan?: string;
  wait?: boolean;
  timeout?: number;
  json?: boolean;
  /** At Ctrl-C while following, say the orchestration goes on and how to follow or stop it, then exit 130. */
  hintOnInterrupt?: boolean;
}

/** The plan of a --plan file; a whole request body (`{ action, plan, … }`) is refused with what to give instead. */
async function readPlanFile(path: string): Promise<Record<string, unknown>> {
  const plan = await readJsonObject(path, 'plan file');
  if (!('steps' in plan) && typeof plan.plan === 'object' && plan.plan !== null) {
    throw new InputError(
      path,
      `plan file "${path}" holds a whole request ({ action, plan, … }); --plan takes the plan itself, the object ` +
        'under "plan" — give the action as the argument and the data with --data-json',
    );
  }
  return plan;
}

export async function runAction(io: Io, action: string, options: RunOptions): Promise<void> {
  const plan = options.plan === undefined ? undefined : await readPlanFile(options.plan);
  const data: Record<string, unknown> = { ...options.dataJson };
  for (const [key, value] of options.data ?? []) data[key] = value;
  const follow = options.wait === true || (isTerminal(io) && options.json !== true);
  await withProjectClient(async (client, connection) => {
    const run = await client.orchestrate({
      action,
      data,
      ...(plan === undefined ? {} : { plan: plan as { steps: Array<{ id: string }> } }),
      ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
    });
    const accepted = { id: run.id, status: run.status, plan: run.plan, parallelGroups: run.parallelGroups };
    // Submitted once with few retries (a server that is down says so at once); followed through a restart.
    // A note goes to stderr, or above the steps while they are redrawn in place.
    let note = (line: string) => io.err(line);
    const follower = followingClient(connection, (line) => note(line));
    const following = <T>(work: () => Promise<T>) =>
      (options.hintOnInterrupt === true ? hintOnInterrupt(io, run.id, work) : work()).catch((error: unknown) => {
        throw lostWhileFollowing(error, run.id);
      });
    if (options.json === true) {
      if (!follow) return io.out(JSON.stringify(accepted, null, 2));
      await following(() =>
        follower.result(run.id).catch((error: unknown) => {
          if (!OrchestrationFailedError.isInstance(error)) throw error;
        }),
      );
      const final = await following(() => follower.get(run.id));
      io.out(JSON.stringify(final, null, 2));
      return endWith(io, final, { json: true });
    }
    io.out(`Orchestration ${run.id} ${run.status}`);
    if (run.plan === null) io.out(`Planning "${action}"…`);
    else io.out(planLines(run.plan, run.parallelGroups, run.planning).join('\n'));
    if (!follow) {
      io.out(`Follow it with: baton logs ${run.id} -f   (or baton inspect ${run.id})`);
      return;
    }
    const final = await following(() =>
      followOrchestration(follower, io, accepted, {
        live: canRedraw(io),
        onNotes: (print) => {
          note = print;
        },
      }),
    );
    endWith(io, final, { json: false });
  });
}

/** Prints the result of a success (unless it was printed as JSON); throws for any other end, naming it. */
function endWith(io: Io, final: Orchestration, options: { json: boolean }): void {
  const took =
    final.finishedAt === null
      ? ''
      : ` in ${formatDuration(Date.parse(final.finishedAt) - Date.parse(final.createdAt))}`;
  if (final.status !== 'succeeded') {
    const error = final.error;
    const reason = error === null ? '' : `: ${error.code ? `${error.code}: ` : ''}${error.message}`;
    const verb = final.status === 'cancelled' ? 'was cancelled' : final.status;
    throw new OrchestrationEndedError(
      final.id,
      final.status,
      `orchestration ${final.id} ${verb}${took}${reason} (baton inspect ${final.id} shows every step)`,
    );
  }
  if (options.json) return;
  io.out(`Orchestration ${final.id} succeeded${took}. Result:`);
  // A text result reads as text (a briefing over several lines); anything else as JSON.
  io.out(typeof final.result === 'string' ? final.result : JSON.stringify(final.result ?? null, null, 2));
}
