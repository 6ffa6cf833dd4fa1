/**
 * Makes a plan read the request's values instead of carrying them. When the model is not shown the request's values,
 * the only ones it can have copied into a plan are those the action itself writes ("a trip to Lisbon for 3 days" with
 * `{ city: 'Lisbon', days: 3 }`): such a literal becomes `{"$ref": "request.data.<field>"}`, and a string holding one
 * gets `{{request.data.<field>}}` in its place. A plan made this way runs right with other values, which is what lets
 * the plan cache reuse it. When one of those values is still in the plan afterwards (two fields with one value, a
 * value inside a condition or a `$literal`), the answer is undefined: such a plan is not reused.
 */
import type { Plan } from '@baton/core';
import { valueText, wholeWord as word } from './param-slots.js';

interface Field {
  name: string;
  value: unknown;
  text: string;
}

export function liftRequestValues(
  plan: Plan,
  data: Readonly<Record<string, unknown>>,
  action: string,
): Plan | undefined {
  const fields: Field[] = Object.entries(data).flatMap(([name, value]) => {
    const text = valueText(value);
    return text !== undefined && word(text).test(action) ? [{ name, value, text }] : [];
  });
  if (fields.length === 0) return plan;
  const byText = new Map<string, Field[]>();
  for (const field of fields)
    byText.set(field.text.toLowerCase(), [...(byText.get(field.text.toLowerCase()) ?? []), field]);
  let ambiguous = false;
  const only = (found: Field[]) => {
    if (found.length > 1) ambiguous = true;
    return found[0] as Field;
  };

  const lift = (node: unknown): unknown => {
    if (typeof node === 'string' || typeof node === 'number') {
      const found = byText.get(String(node).trim().toLowerCase());
      if (found?.some((field) => field.value === node || field.text === node))
        return { $ref: `request.data.${only(found).name}` };
      if (typeof node === 'number') return node;
      let lifted = node;
      for (const found of byText.values()) {
        const pattern = word(found[0]?.text as string);
        if (pattern.test(lifted)) lifted = lifted.replace(pattern, `{{request.data.${only(found).name}}}`);
      }
      return lifted;
    }
    if (Array.isArray(node)) return node.map(lift);
    if (typeof node === 'object' && node !== null) {
      if ('$ref' in node || '$literal' in node) return node;
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, lift(value)]));
    }
    return node;
  };

  const lifted: Plan = {
    ...plan,
    steps: plan.steps.map((step) => (step.input === undefined ? step : { ...step, input: lift(step.input) })),
    ...(plan.output === undefined ? {} : { output: lift(plan.output) }),
  };
  if (ambiguous || stillHolds(lifted, fields)) return undefined;
  return lifted;
}

/**
 * Whether a value is still written where the plan reads it, outside references: step ids, the steps they wait for,
 * targets and `$ref`s name parts of the plan and carry no value into it (steps `oslo` and `bergen` that read
 * `request.data.a` and `request.data.b` run right with any two cities).
 */
function stillHolds(plan: Plan, fields: readonly Field[]): boolean {
  const read = {
    ...plan,
    steps: plan.steps.map(({ id: _id, dependsOn: _dependsOn, target: _target, ...rest }) => rest),
  };
  const text = JSON.stringify(read).replace(/"\$ref":"(?:[^"\\]|\\.)*"/g, '');
  return fields.some((field) => word(field.text).test(text));
}
