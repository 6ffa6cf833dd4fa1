/**
 * The methods a path takes, from the app's routes: a request with another method gets a 405 with `Allow` (RFC 9110)
 * rather than a 404 that says the path is not there.
 */

export interface RouteLike {
  method: string;
  path: string;
}

/** `/v1/orchestrations/:id` (or `{id}`) as a pattern matching one segment per parameter. */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (/^(?::\w+|\{\w+\})$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Builds the lookup once; it answers the methods (sorted, HEAD with GET) that `path` takes, none for no route. */
export function methodsByPath(routes: readonly RouteLike[]): (path: string) => string[] {
  const patterns = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const { method, path } of routes) {
    if (method === 'ALL' || path.includes('*')) continue;
    let entry = patterns.get(path);
    if (entry === undefined) {
      entry = { pattern: patternOf(path), methods: new Set() };
      patterns.set(path, entry);
    }
    entry.methods.add(method.toUpperCase());
    if (method.toUpperCase() === 'GET') entry.methods.add('HEAD');
  }
  return (path) => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of patterns.values()) {
      if (pattern.test(path)) for (const method of methods) allowed.add(method);
    }
    return [...allowed].sort();
  };
}
