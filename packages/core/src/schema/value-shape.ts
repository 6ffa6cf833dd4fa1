/**
 * The shape every value Baton walks must have: plans, requests, step inputs and the outputs evidence compares. No
 * value may contain itself, and none may nest more than {@link MAX_VALUE_DEPTH} levels of arrays and objects. Checked
 * once, without recursion, before anything recursive touches the value, so a cyclic or very deep value is a
 * `ValidationError` problem naming where it goes wrong instead of a stack overflow.
 */
import { clipText } from '../errors/quote-text.js';
import type { Problem } from '../errors/validation-error.js';

/** Levels of arrays and objects a value may nest: `[[1]]` has 2. */
export const MAX_VALUE_DEPTH = 1000;

/** Problem paths are cut to this many characters (a path 1000 levels deep, or through a huge key, stays readable). */
const MAX_PATH_LENGTH = 200;

interface Level {
  value: object;
  keys: string[];
  next: number;
}

/**
 * The first place where `value` contains itself or nests deeper than `maxDepth`, as a problem under `where`
 * (`steps[0].input.me`); `undefined` when its shape is fine. Walks own enumerable keys of every object, like
 * `Object.entries` does; a value shared by two branches is not a cycle.
 *
 * @example
 * const input: Record<string, unknown> = {};
 * input.me = input;
 * valueShapeProblem(input, 'input'); // { path: 'input.me', code: 'cyclic-value', message: '…' }
 */
export function valueShapeProblem(value: unknown, where: string, maxDepth = MAX_VALUE_DEPTH): Problem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Level[] = [{ value, keys: Object.keys(value), next: 0 }];
  const onPath = new Set<object>([value]);
  while (stack.length > 0) {
    const level = stack[stack.length - 1] as Level;
    if (level.next >= level.keys.length) {
      onPath.delete(level.value);
      stack.pop();
      continue;
    }
    const key = level.keys[level.next++] as string;
    const child = (level.value as Record<string, unknown>)[key];
    if (typeof child !== 'object' || child === null) continue;
    if (onPath.has(child)) {
      const ancestor = stack.findIndex((l) => l.value === child);
      return {
        path: pathOf(where, stack, stack.length),
        code: 'cyclic-value',
        message: `the value contains itself: this is the same object as ${pathOf(where, stack, ancestor) || '(root)'}; pass plain JSON data`,
      };
    }
    if (stack.length >= maxDepth) {
      return {
        path: pathOf(where, stack, stack.length),
        code: 'too-deep',
        message: `the value nests more than ${maxDepth} levels of arrays and objects`,
      };
    }
    onPath.add(child);
    stack.push({ value: child, keys: Object.keys(child), next: 0 });
  }
  return undefined;
}

/** The path to the key each of the first `count` levels is at now. */
function pathOf(where: string, stack: readonly Level[], count: number): string {
  let path = where;
  for (let i = 0; i < count && path.length <= MAX_PATH_LENGTH; i++) {
    const level = stack[i] as Level;
    path = appendKey(path, level.keys[level.next - 1] as string, Array.isArray(level.value));
  }
  return clipText(path, MAX_PATH_LENGTH);
}

/** `items[2]`, `customer.name`, `headers["content-type"]`; a key longer than 80 characters is cut. */
export function appendKey(path: string, key: string | number, index = typeof key === 'number'): string {
  if (index) return `${path}[${key}]`;
  const name = clipText(String(key), 80);
  if (/^[A-Za-z_$][\w$]*$/.test(name)) return path === '' ? name : `${path}.${name}`;
  return `${path}[${JSON.stringify(name)}]`;
}
