/**
 * Sub-calls in a saga: a finished sub-call (`context.call`) whose target declares `compensate` is undone with its run,
 * as a step is. The step (or sub-call) that made it is undone after it — its own work stands on its sub-calls', as a
 * step's stands on the steps it depends on — and the steps that step came after are undone after it too; the sub-calls
 * one step makes are undone in reverse order of finishing. What its compensation needs is kept with its result, and
 * journaled in a durable run, so a run resumed after a crash undoes it as well.
 */
import { parseTargetRef } from '../registry/target-ref.js';
import type { EngineServices, FinishedStep, SubCallMemoEntry } from './run-context.js';

export type CompensableCall = NonNullable<SubCallMemoEntry['compensable']>;

/**
 * What a finished call of `target` (`name@version`) keeps for its compensation, or `undefined` when the target
 * declares none.
 *
 * @example
 * compensableCall(run.services, 'reserve@1.0.0', 'order#call-1', input, { within: 'order', after: ['cart'] });
 */
export function compensableCall(
  services: EngineServices,
  target: string,
  stepId: string,
  input: unknown,
  place: { within: string; after: readonly string[] },
): CompensableCall | undefined {
  if (!services.registry.describe(parseTargetRef(target))?.compensate) return undefined;
  return { stepId, input, within: place.within, after: [...place.after] };
}

/** The finished sub-call at `stepKey` (`<step key>#<id>`) as compensation sees it. */
export function finishedSubCall(
  stepKey: string,
  call: { target: string; output: unknown },
  compensable: CompensableCall,
): FinishedStep {
  return {
    stepKey,
    stepId: compensable.stepId,
    target: call.target,
    input: compensable.input,
    output: call.output,
    after: compensable.after,
    within: compensable.within,
  };
}
