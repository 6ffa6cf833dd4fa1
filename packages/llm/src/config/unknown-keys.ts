/**
 * The keys of an options object that its function does not take: a misspelt option (`pinnned`, `toolsearch`) would
 * otherwise be ignored silently, so callers name each one as a problem.
 */

/**
 * The keys of `value` outside `known`, each with its path under `at` (`''` for the top level); none when `value` is
 * not an object.
 *
 * @example
 * unknownKeys({ k: 2, kk: 3 }, ['k'], 'toolSearch'); // [{ key: 'kk', path: 'toolSearch.kk' }]
 */
export function unknownKeys(value: unknown, known: readonly string[], at = ''): { key: string; path: string }[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => ({ key, path: at === '' ? key : `${at}.${key}` }));
}
