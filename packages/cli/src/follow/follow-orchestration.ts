/**
 * Follows an accepted orchestration to its end over its event stream: waits for its plan when the server plans the
 * action, prints the plan tree, shows every step's state as events arrive, and returns the final view. An action
 * that could not be planned ends in `OrchestrationEndedError`.
 */
import type { Orchestration, OrchestrationEvent, PlanningDecisionBody } from '@baton/protocol';
import { type BatonClient, OrchestrationFailedError } from '@baton/sdk';
import type { Io } from '../io.js';
import { OrchestrationEndedError } from '../orchestration-ended-error.js';
import { type PlanLike, planTree } from '../render/plan-tree.js';
import { planningSummary } from '../render/planning-summary.js';
import { StepBoard, type StepView } from './step-board.js';
import { createLiveDisplay, createPlainDisplay, type StepDisplay } from './step-display.js';

export interface AcceptedView {
  id: string;
  plan: PlanLike | null;
  parallelGroups: string[][];
}

export interface FollowOptions {
  /** Redraw the steps in place (a terminal) rather than print a line per change. */
  live: boolean;
  /**
   * Given, while the steps are redrawn in place, a way to print a note above them (a line written to the terminal
   * otherwise would be drawn over).
   */
  onNotes?: (print: (line: string) => void) => void;
}

/** The lines that show a plan: how it was chosen (for an action in plain words), then its tree. */
export function planLines(
  plan: PlanLike,
  parallelGroups: readonly (readonly string[])[],
  planning?: PlanningDecisionBody | null,
): string[] {
  return [...(planning ? planningSummary(planning) : []), ...planTree(plan, parallelGroups)];
}

export async function followOrchestration(
  client: BatonClient,
  io: Io,
  accepted: AcceptedView,
  options: FollowOptions,
): Promise<Orchestration> {
  const live = options.live && io.stdout !== undefined;
  const display: StepDisplay = live ? createLiveDisplay(io, io.stdout!, accepted.id) : createPlainDisplay(io);
  if (live) options.onNotes?.((line) => display.print([line]));
  let board: StepBoard | undefined;
  let seeded = false;
  const begin = (plan: PlanLike, groups: string[][]) => {
    board = new StepBoard(plan, groups);
    display.start(board);
  };
  if (accepted.plan !== null) begin(accepted.plan, accepted.parallelGroups);
  try {
    for await (const event of client.events(accepted.id)) {
      if (event.type === 'orchestration-planned' && board === undefined) {
        const { plan, parallelGroups, planning } = plannedData(event);
        display.print(planLines(plan, parallelGroups, planning));
        begin(plan, parallelGroups);
      } else if (event.type === 'planning-failed') {
        throw planningFailed(accepted.id, event);
      } else if (board !== undefined) {
        const changed = board.apply(event);
        if (changed !== undefined) display.change(changed);
        // The stream is open from here on: what started before it is read once from the orchestration's view.
        if (!seeded && event.type === 'run-start') {
          seeded = true;
          for (const step of await seedBoard(client, board, accepted.id)) display.change(step);
        }
      }
    }
    await client.result(accepted.id).catch((error: unknown) => {
      if (!OrchestrationFailedError.isInstance(error)) throw error;
    });
    const final = await client.get(accepted.id);
    // A server that planned the action without telling the stream still shows the plan in the final view.
    if (board === undefined && final.plan !== null) {
      display.print(planLines(final.plan, final.parallelGroups, final.planning));
      begin(final.plan, final.parallelGroups);
    }
    board?.settle(final.steps);
    return final;
  } finally {
    display.stop();
  }
}

/**
 * The steps already running, waiting for their service or for a person when the stream opened. The pending approvals
 * only add to what the stream says: a server that cannot list them leaves the stream's `approval-request` to tell.
 */
async function seedBoard(client: BatonClient, board: StepBoard, id: string): Promise<StepView[]> {
  const [view, approvals] = await Promise.all([
    client.get(id),
    client.approvals({ status: 'pending', orchestrationId: id }).catch(() => []),
  ]);
  // A step running in the view that waits for a person is changed by both: it is shown once, as waiting.
  return [...new Set([...board.seed(view.steps), ...board.seedApprovals(approvals)])];
}

function plannedData(event: OrchestrationEvent) {
  const data = (event.data ?? {}) as {
    plan?: PlanLike;
    parallelGroups?: string[][];
    planning?: PlanningDecisionBody;
  };
  const plan = data.plan ?? { steps: [] };
  return { plan, parallelGroups: data.parallelGroups ?? [plan.steps.map((step) => step.id)], planning: data.planning };
}

function planningFailed(id: string, event: OrchestrationEvent): OrchestrationEndedError {
  const error = ((event.data ?? {}) as { error?: { message?: unknown } }).error;
  const reason = typeof error?.message === 'string' ? error.message : 'no reason given';
  return new OrchestrationEndedError(
    id,
    'planning-failed',
    `orchestration ${id} could not be planned: ${reason} (baton inspect ${id} shows every attempt)`,
  );
}
