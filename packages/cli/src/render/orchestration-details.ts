/**
 * An orchestration as `baton inspect` prints it: status and times, how its plan was chosen, the plan tree with each
 * step's status, service, attempts and time, then (detailed) every step's input, output, error and usage, and the
 * result or the error.
 */
import type { Orchestration, OrchestrationStep } from '@baton/protocol';
import { planTree } from './plan-tree.js';
import { planningSummary } from './planning-summary.js';
import { durationBetween, formatDuration, formatTime } from './text-format.js';

const STATUS_WORDS: Record<OrchestrationStep['status'], string> = {
  pending: '· pending',
  'waiting-for-service': '◌ waiting-for-service',
  running: '● running',
  succeeded: '✓ succeeded',
  failed: '✗ failed',
  skipped: '- skipped',
  cancelled: '⊘ cancelled',
};

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

function stepSummary(step: OrchestrationStep): string {
  const took = durationBetween(step.startedAt, step.finishedAt);
  return [
    STATUS_WORDS[step.status],
    step.service ?? '',
    step.attempts > 0 ? `${step.attempts} attempt${step.attempts === 1 ? '' : 's'}` : '',
    took === undefined ? '' : formatDuration(took),
  ]
    .filter(Boolean)
    .join('  ');
}

function stepDetails(step: OrchestrationStep): string[] {
  const lines = [
    `  ${step.id}: ${step.status}, service ${step.service ?? '-'}, ${step.attempts} attempt(s), started ${formatTime(step.startedAt)}, finished ${formatTime(step.finishedAt)}`,
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
        return step === undefined ? '' : stepSummary(step);
      }),
    );
  }
  if (options.detailed && orchestration.steps.length > 0)
    lines.push('Steps:', ...orchestration.steps.flatMap(stepDetails));
  if (orchestration.status === 'succeeded') lines.push('Result:', pretty(orchestration.result ?? null));
  if (orchestration.error !== null) {
    const { code, message } = orchestration.error;
    lines.push(`Error:    ${code ? `${code}: ` : ''}${message}`);
    if (options.detailed) lines.push(indent(pretty(orchestration.error), '  '));
  }
  return lines;
}
