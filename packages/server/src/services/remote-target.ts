/**
 * A service connected over the socket, as a target of the engine's registry: its handler sends a task to an instance
 * and turns the answer into the engine's terms — an output, a `RemoteTaskError` the retry policy reads (`retryable`,
 * `retryAfter`), or an `AbortRunError` that stops the orchestration and compensates it. A revertible service gets a
 * `compensate` that sends it a compensation request. So retries, breakers, timeouts, budgets, idempotency and
 * compensation apply to a remote service exactly as to a local function.
 */
import { AbortRunError, type CompensationContext, type HandlerContext, type TargetDefinition } from '@baton/core';
import { RemoteTaskError } from '../socket/dispatch-errors.js';
import type { ServiceRef } from '../socket/task-dispatcher.js';
import type { TaskRouter } from '../socket/task-router.js';
import { revisionVersion, scopedTargetName, unscopeText } from './target-name.js';
import { checkIdempotencyKey, taskDeadline } from './task-fields.js';

export interface ServiceRevision {
  serviceId: string;
  projectId: string;
  name: string;
  kind: 'service' | 'agent';
  description: string;
  revision: number;
  input: Record<string, unknown> | null;
  output: Record<string, unknown> | null;
  revertible: boolean;
  effectFree: boolean;
}

/** Whether `runId` is an orchestration's run (`orc_…`, `orc_…~n`): others were started in-process, not over HTTP. */
export function isOrchestrationRun(runId: string): boolean {
  return runId.startsWith('orc_');
}

/** Retries of an orchestration run as `<orchestrationId>~<n>`; services see the orchestration's id. */

export function orchestrationIdOf(runId: string): string {
  const tilde = runId.indexOf('~');
  return tilde === -1 ? runId : runId.slice(0, tilde);
}

function stepIdOf(path: readonly string[], stepId: string): string {
  return path.length > 1 ? path.slice(1).join('/') : stepId;
}

export function remoteTarget(revision: ServiceRevision, router: TaskRouter): TargetDefinition {
  const service: ServiceRef = {
    id: revision.serviceId,
    name: revision.name,
    projectId: revision.projectId,
    revision: revision.revision,
  };
  const handler = async (input: unknown, context: HandlerContext): Promise<unknown> => {
    const stepId = stepIdOf(context.path, context.stepId);
    const outcome = await router.run(
      service,
      {
        runId: context.runId,
        orchestrationId: orchestrationIdOf(context.runId),
        stepId,
        attempt: context.attempt,
        idempotencyKey: checkIdempotencyKey(revision.name, context.idempotencyKey ?? `${context.runId}:${stepId}`),
        input,
        deadline: taskDeadline(context.deadline),
      },
      context.signal,
    );
    if (outcome.kind === 'result') return outcome.output;
    if (outcome.kind === 'abort')
      throw new AbortRunError(
        outcome.payload,
        outcome.reason ?? `service "${revision.name}" aborted the orchestration`,
      );
    throw new RemoteTaskError(revision.name, outcome.error);
  };
  const compensate = async (context: CompensationContext): Promise<void> => {
    const outcome = await router.compensate(
      service,
      {
        runId: context.runId,
        orchestrationId: orchestrationIdOf(context.runId),
        stepId: context.stepId,
        attempt: context.attempt,
        idempotencyKey: checkIdempotencyKey(revision.name, context.idempotencyKey),
        input: context.input,
        output: context.output,
        reason: { ...context.reason, message: unscopeText(revision.projectId, context.reason.message) },
        payload: context.payload,
        deadline: taskDeadline(context.deadline),
      },
      context.signal,
    );
    if (!outcome.ok) {
      throw new RemoteTaskError(revision.name, outcome.error ?? { message: 'compensation failed', retryable: true });
    }
  };
  return {
    name: scopedTargetName(revision.projectId, revision.name),
    kind: revision.kind,
    description: revision.description.slice(0, 500),
    version: revisionVersion(revision.revision),
    ...(revision.input === null ? {} : { input: revision.input }),
    ...(revision.output === null ? {} : { output: revision.output }),
    effects: revision.effectFree ? 'none' : 'external',
    handler,
    ...(revision.revertible ? { compensate } : {}),
    metadata: { projectId: revision.projectId, serviceId: revision.serviceId, service: revision.name },
  };
}
