/**
 * An orchestration as `baton inspect` prints it: status and times, how its plan was chosen, the plan tree with each
 * step's status, service, attempts and time, then (detailed) every step's input, output, error and usage, and the
 * result or the error.
 */
import type { Orchestration, OrchestrationStep } from '@baton/protocol';
import { boundedJson } from './bounded-json.js';
import { planTree } from './plan-tree.js';
import { planningSummary } from './planning-summary.js';
import { durationBetween, formatDuration, formatTime } from './text-format.js';

const SYMBOLS: Record<OrchestrationStep['status'], string> = {
  pending: '·',
  'waiting-for-service': '◌',
  running: '●',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  cancelled: '⊘',
};

const APPROVAL_OUTCOMES: Readonly<Record<string, string>> = {
  'approval-rejected': 'rejected',
  'approval-expired': 'expired',
};

/**
 * A step's status in words: an approval step that failed says it was rejected (with the reason given) or expired, and
 * a step the run never started because of that says so, instead of a bare `failed` or `cancelled`.
 */
function statusText(step: OrchestrationStep, orchestration: Orchestration): string {
  const outcome = APPROVAL_OUTCOMES[String(step.error?.code)];
  if (step.status === 'failed' && outcome !== undefined) {
    const reason = typeof step.error?.reason === 'string' ? `: ${step.error.reason}` : '';
    return `${outcome}${reason}`;
  }
  const stopper = orchestration.error;
  const stoppedBy = APPROVAL_OUTCOMES[String(stopper?.code)];
  if (
    step.status === 'cancelled' &&
    step.startedAt === null &&
    stoppedBy !== undefined &&
    stopper?.stepId !== step.id
  ) {
    return `cancelled: not run, approval ${String(stopper?.stepId)} was ${stoppedBy}`;
  }
  return step.status;
}

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');
const pretty = (value: unknown) => JSON.stringify(value, null, 2) ?? 'undefined';

function usageText(usage: Orchestration['usage']): string {
  const tokens = usage.tokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
  return `${tokens} tokens, $${(usage.costUsd ?? 0).toFixed(4)}`;
}

function stepSummary(step: OrchestrationStep, orchestration: Orchestration): string {
  const took = durationBetween(step.startedAt, step.finishedAt);
  return [
    `${SYMBOLS[step.status]} ${statusText(step, orchestration)}`,
    step.service ?? '',
    step.attempts > 0 ? `${step.attempts} attempt${step.attempts === 1 ? '' : 's'}` : '',
    took === undefined ? '' : formatDuration(took),
  ]
    .filter(Boolean)
    .join('  ');
}

function stepDetails(step: OrchestrationStep, orchestration: Orchestration): string[] {
  const lines = [
    `  ${step.id}: ${statusText(step, orchestration)}, service ${step.service ?? '-'}, ${step.attempts} attempt(s), started ${formatTime(step.startedAt)}, finished ${formatTime(step.finishedAt)}`,
  ];
  if (step.input !== undefined) lines.push('    input:', indent(pretty(step.input), '      '));
  if (step.output !== undefined) lines.push('    output:', indent(pretty(step.output), '      '));
  if (step.error !== null) lines.push('    error:', indent(pretty(step.error), '      '));
  lines.push(`    usage: ${usageText(step.usage)}`);
  return lines;
}

/**
 * @example
 * orchestrationDetails(await client.get('orc_1'), { detailed: true }).forEach((line) => console.log(line));
 */
export function orchestrationDetails(orchestration: Orchestration, options: { detailed: boolean }): string[] {
  const took = durationBetween(orchestration.createdAt, orchestration.finishedAt);
  const lines = [
    `Orchestration ${orchestration.id}  ${orchestration.status}`,
    `Action:   ${orchestration.action.content}`,
    `Created:  ${formatTime(orchestration.createdAt)}   Finished: ${formatTime(orchestration.finishedAt)}${took === undefined ? '' : `   (${formatDuration(took)})`}`,
    `Retries:  ${orchestration.retries}   Usage: ${usageText(orchestration.usage)}`,
    ...planningSummary(orchestration.planning),
  ];
  const steps = new Map(orchestration.steps.map((step) => [step.id, step]));
  if (orchestration.plan === null) {
    lines.push(orchestration.status === 'planning' ? 'Plan: being made' : 'Plan: none (it could not be made)');
  } else {
    lines.push(
      ...planTree(orchestration.plan, orchestration.parallelGroups, (id) => {
        const step = steps.get(id);
        return step === undefined ? '' : stepSummary(step, orchestration);
      }),
    );
  }
  if (options.detailed && orchestration.steps.length > 0)
    lines.push('Steps:', ...orchestration.steps.flatMap((step) => stepDetails(step, orchestration)));
  if (orchestration.status === 'succeeded') {
    if (options.detailed) lines.push('Result:', pretty(orchestration.result ?? null));
    else {
      const { text, shortened } = boundedJson(orchestration.result ?? null);
      lines.push(
        shortened ? 'Result (long values shortened; --detailed or --json shows them whole):' : 'Result:',
        text,
      );
    }
  }
  if (orchestration.error !== null) {
    const { code, message } = orchestration.error;
    // A message that starts with its code already says it (`cancelled: asked through the API`).
    const said = !code || message === code || message.startsWith(`${code}:`);
    lines.push(`Error:    ${said ? '' : `${code}: `}${message}`);
    if (options.detailed) lines.push(indent(pretty(orchestration.error), '  '));
  }
  return lines;
}
