/**
 * Scores a template matcher on labelled actions: precision (of the matches made, the share that picked the labelled
 * template) and recall (of the actions labelled with a template, the share that got it), with each kind's counts, so
 * a change to matching shows where it gains or loses.
 */
import type { TemplateMatcher } from './template-matcher.js';

export interface LabelledAction {
  action: string;
  data: Record<string, unknown>;
  /** The template that should answer, or null when none should. */
  expected: string | null;
  /** What the case tests: `paraphrase`, `entity`, `number`, `negation`, … */
  kind: string;
}

export interface TemplateEvaluation {
  actions: number;
  precision: number;
  recall: number;
  /** Matches of the wrong template, or of one where none should match. */
  wrong: { action: string; kind: string; expected: string | null; got: string }[];
  /** Labelled actions that got no template. */
  missed: { action: string; kind: string; expected: string }[];
  byKind: Record<string, { actions: number; right: number }>;
}

/** Parses JSON lines of `LabelledAction`, naming the line of a bad one. */
export function parseLabelledActions(text: string): LabelledAction[] {
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, number]) => {
      const value = JSON.parse(line) as Partial<LabelledAction>;
      if (typeof value.action !== 'string' || (value.expected !== null && typeof value.expected !== 'string')) {
        throw new TypeError(
          `line ${number}: expected { action: string, expected: string | null }, got ${line.slice(0, 200)}`,
        );
      }
      return {
        action: value.action,
        data: value.data ?? {},
        expected: value.expected,
        kind: value.kind ?? 'unlabelled',
      };
    });
}

export async function evaluateTemplates(
  matcher: TemplateMatcher,
  actions: readonly LabelledAction[],
): Promise<TemplateEvaluation> {
  let matched = 0;
  let rightMatches = 0;
  let positives = 0;
  const wrong: TemplateEvaluation['wrong'] = [];
  const missed: TemplateEvaluation['missed'] = [];
  const byKind: TemplateEvaluation['byKind'] = {};
  for (const { action, data, expected, kind } of actions) {
    const got = (await matcher.match(action, data))?.template.name ?? null;
    byKind[kind] ??= { actions: 0, right: 0 };
    const tally = byKind[kind];
    tally.actions++;
    if (got === expected) tally.right++;
    if (expected !== null) positives++;
    if (got !== null) {
      matched++;
      if (got === expected) rightMatches++;
      else wrong.push({ action, kind, expected, got });
    } else if (expected !== null) {
      missed.push({ action, kind, expected });
    }
  }
  return {
    actions: actions.length,
    precision: matched === 0 ? 1 : rightMatches / matched,
    recall: positives === 0 ? 1 : rightMatches / positives,
    wrong,
    missed,
    byKind,
  };
}
