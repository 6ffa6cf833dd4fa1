/**
 * The planning prompt: what the plan format is (system), and the action, the request data's fields and every target
 * the plan may call (user). Request values go to the model only when the operator allows it; otherwise the model sees
 * each field's name and type and must read values through references, which is also what lets a plan be reused.
 */
import type { Problem } from '@baton/core';
import type { PlanningTarget } from './planning-target.js';

export const PLANNING_SYSTEM_PROMPT = `You turn an action written in plain words into a plan that Baton's engine runs.
A plan is JSON: {"steps": [{"id", "target", "input", "dependsOn"?, "when"?}], "output"?}.
- "target" is the name of one of the registered targets listed by the user, exactly as written.
- "input" must match the target's input schema. Build it from literals and references:
  {"$ref": "request.data.<field>"} reads the request data; {"$ref": "steps.<id>.output.<path>"} reads an earlier
  step's output (paths use dots and [index]); inside a string, {{request.data.<field>}} and {{steps.<id>.output.<path>}}
  are replaced by the value.
- Read every value that comes from the request data through a reference: never copy request values into the plan.
- Steps that do not reference each other run in parallel; a reference or "dependsOn" makes a step wait.
- Use only what is needed, no step twice for the same thing, and no target that is not listed.
- "output" (optional) builds the run's result like an input; without it the run returns the outputs of the last steps.
Answer with JSON only: {"actionable": true, "plan": {...}} — or, when the listed targets cannot do what the action
asks, {"actionable": false, "reason": "<what is missing>"}.`;

export interface PlanningPromptInput {
  action: string;
  data: Readonly<Record<string, unknown>>;
  targets: readonly PlanningTarget[];
  /** Targets registered in all, when `targets` holds only the most relevant of them. @default targets.length */
  registeredTargets?: number;
  /** Show the request's values, not only their names and types. @default false */
  shareValues?: boolean;
}

const MAX_SHAPE_DEPTH = 3;
const MAX_FIELDS = 50;

/** `string`, `number`, `{ name: string, tags: string[] }`: the type of a JSON value, a few levels deep. */
export function describeShape(value: unknown, depth = 0): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'array' : `${describeShape(value[0], depth + 1)}[]`;
  if (typeof value === 'object') {
    if (depth >= MAX_SHAPE_DEPTH) return 'object';
    const entries = Object.entries(value as Record<string, unknown>).slice(0, MAX_FIELDS);
    return `{ ${entries.map(([key, field]) => `${key}: ${describeShape(field, depth + 1)}`).join(', ')} }`;
  }
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function describeTarget(target: PlanningTarget): string {
  const lines = [
    `- ${target.name} (${target.kind} ${target.version})${target.description ? `: ${target.description}` : ''}`,
  ];
  if (target.inputSchema !== undefined) lines.push(`  input schema: ${JSON.stringify(target.inputSchema)}`);
  if (target.outputSchema !== undefined) lines.push(`  output schema: ${JSON.stringify(target.outputSchema)}`);
  return lines.join('\n');
}

export function planningUserPrompt({
  action,
  data,
  targets,
  registeredTargets = targets.length,
  shareValues = false,
}: PlanningPromptInput): string {
  const fields = Object.entries(data).slice(0, MAX_FIELDS);
  const dataLines =
    fields.length === 0
      ? '(none)'
      : fields
          .map(([name, value]) =>
            shareValues
              ? `- ${name}: ${describeShape(value)} = ${JSON.stringify(value)?.slice(0, 500)}`
              : `- ${name}: ${describeShape(value)}`,
          )
          .join('\n');
  return [
    `Action: ${action}`,
    '',
    `Request data fields (read them as request.data.<field>):\n${dataLines}`,
    '',
    registeredTargets > targets.length
      ? `Registered targets (the ${targets.length} of ${registeredTargets} most relevant to the action):\n${targets.map(describeTarget).join('\n')}`
      : `Registered targets:\n${targets.map(describeTarget).join('\n')}`,
  ].join('\n');
}

/** What the model is told after a plan that did not validate. */
export function repairPrompt(problems: readonly Problem[] | undefined, error?: string): string {
  const what = error
    ? `Your answer could not be used: ${error}`
    : `Your plan does not validate. Problems (path, code, message):\n${JSON.stringify(problems ?? [], null, 1)}`;
  return `${what}\nAnswer again with the whole corrected JSON.`;
}
