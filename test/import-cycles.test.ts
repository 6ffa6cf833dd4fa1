/**
 * No circular imports in any package, between folders or between files: every relative import of a package's own
 * code (tests and test kits left out, as they may reach up to what they test) is read, and a cycle fails the test,
 * naming it. Type-only imports count too — they still tie the folders' designs together. And the packages keep their
 * layers: the SDK never imports the server or core, the protocol no other Baton package.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../packages', import.meta.url));
const packages = readdirSync(PACKAGES).filter((name) => existsSync(join(PACKAGES, name, 'src')));
const NOT_CODE = /(\.test|\.contract|-kit|\.bench)\.ts$|__fixtures__/;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !NOT_CODE.test(path) ? [path] : [];
  });
}

/** Relative imports of a file, as paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
}

/** Every cycle found by a depth-first walk, each as the list of nodes around it. */
function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

function graphs(SRC: string) {
  const files = new Map<string, Set<string>>();
  const folders = new Map<string, Set<string>>();
  const folderOf = (file: string) => relative(SRC, file).split('/').slice(0, -1).join('/') || '.';
  for (const file of sourceFiles(SRC)) {
    const name = relative(SRC, file);
    const targets = importsOf(file).filter((target) => target.startsWith(SRC) && !NOT_CODE.test(target));
    files.set(name, new Set(targets.map((target) => relative(SRC, target))));
    const from = folderOf(file);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const target of targets) if (folderOf(target) !== from) folders.get(from)!.add(folderOf(target));
  }
  return { files, folders };
}

/**
 * The cache, the model layer and the CLI keep shared modules at the top of `src/` (errors, the cache itself, the
 * program) beside their folders, so only their files are held to no cycles for now.
 */
const FOLDERS_CHECKED = new Set(['core', 'protocol', 'sdk', 'server']);

describe.each(packages)('imports in packages/%s', (name) => {
  const { files, folders } = graphs(join(PACKAGES, name, 'src'));

  if (FOLDERS_CHECKED.has(name)) {
    it('form no cycle between folders', () => {
      expect(cyclesOf(folders).map((cycle) => cycle.join(' → '))).toEqual([]);
    });
  }

  it('form no cycle between files', () => {
    expect(cyclesOf(files).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});

describe('the layers of the packages', () => {
  const bakedIn = (name: string) => {
    const found = new Set<string>();
    for (const file of sourceFiles(join(PACKAGES, name, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/from '(@baton\/[a-z-]+)/g)) found.add(match[1]!);
    }
    return [...found].sort();
  };

  it('reads the folders of core and what they import', () => {
    const { folders } = graphs(join(PACKAGES, 'core', 'src'));
    expect(folders.get('engine')).toEqual(expect.any(Set));
    expect([...(folders.get('durable') ?? [])]).toContain('run');
  });

  it('the SDK imports only the protocol, and the protocol no Baton package', () => {
    expect(bakedIn('sdk')).toEqual(['@baton/protocol']);
    expect(bakedIn('protocol')).toEqual([]);
  });

  it('a cycle is found when there is one', () => {
    const graph = new Map([
      ['run', new Set(['durable'])],
      ['durable', new Set(['storage', 'run'])],
      ['storage', new Set<string>()],
    ]);
    expect(cyclesOf(graph)).toEqual([['run', 'durable', 'run']]);
  });
});
