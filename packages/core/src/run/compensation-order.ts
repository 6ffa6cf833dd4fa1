/**
 * The order a failed run is undone in. A finished step is undone only after everything that came after it: the steps
 * that depended on it (directly, through its loop, or further down), each with the sub-calls it made. A sub-call is
 * undone before the step or sub-call that made it (`within`) and before the steps that one came after, and the sub-calls
 * one step makes are undone in reverse order of finishing. Whatever nothing orders is undone in parallel.
 */
import type { FinishedStep } from './run-context.js';

/**
 * For each of `keys` (the ones to undo), the keys among them that must be undone first.
 *
 * @example
 * // order → pay, where order made the sub-call order#call-1:
 * undoneFirst(finished, ['order', 'order#call-1', 'pay']); // order: {order#call-1, pay}, order#call-1: {pay}, pay: {}
 */
export function undoneFirst(finished: readonly FinishedStep[], keys: Iterable<string>): Map<string, Set<string>> {
  const byKey = new Map(withSiblingOrder(finished).map((step) => [step.stepKey, step]));
  const inside = new Map<string, string[]>();
  for (const step of byKey.values()) {
    if (step.within !== undefined) inside.set(step.within, [...(inside.get(step.within) ?? []), step.stepKey]);
  }
  const first = new Map<string, Set<string>>();
  for (const key of keys) first.set(key, new Set());
  for (const key of first.keys()) {
    for (const later of undoneAfter(key, byKey, inside)) first.get(later)?.add(key);
  }
  return first;
}

/**
 * Sub-calls made by one step (or sub-call), in the order they finished (the order of `finished`): each comes after
 * the one before it.
 */
function withSiblingOrder(finished: readonly FinishedStep[]): FinishedStep[] {
  const last = new Map<string, string>();
  return finished.map((step) => {
    if (step.within === undefined) return step;
    const previous = last.get(step.within);
    last.set(step.within, step.stepKey);
    return previous === undefined ? step : { ...step, after: [...step.after, previous] };
  });
}

/** Every key undone after `key`'s: what made it, what it came after with their sub-calls, and so on. */
function undoneAfter(
  key: string,
  byKey: ReadonlyMap<string, FinishedStep>,
  inside: ReadonlyMap<string, readonly string[]>,
): Set<string> {
  const seen = new Set<string>();
  const next = (of: string): string[] => {
    const step = byKey.get(of);
    if (!step) return [];
    const came = step.after.flatMap((earlier) => [earlier, ...madeBy(earlier, inside)]);
    return step.within === undefined ? came : [step.within, ...came];
  };
  const stack = next(key);
  while (stack.length > 0) {
    const later = stack.pop() as string;
    if (seen.has(later)) continue;
    seen.add(later);
    stack.push(...next(later));
  }
  return seen;
}

/** The sub-calls `key` made, and theirs, all the way down. */
function madeBy(key: string, inside: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  const stack = [...(inside.get(key) ?? [])];
  while (stack.length > 0) {
    const call = stack.pop() as string;
    out.push(call);
    stack.push(...(inside.get(call) ?? []));
  }
  return out;
}
