/**
 * Child processes for the process tests (`test/durable/`, `test/server/`): an entry file is bundled once with esbuild
 * (cached by content hash, so a child starts in a fraction of the time `tsx` needs), spawned with its JSON config,
 * watched line by line and SIGKILLed. Every child is remembered so `killChildren()` ends what a failed test left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const bundles = new Map<string, string>();

/**
 * What the bundle leaves to Node: every package the repository depends on but Baton's own, which are bundled from
 * source (no package nests its own copy of another, so the root node_modules resolves them all).
 */
function externalPackages(): string[] {
  const manifests = [
    join(ROOT, 'package.json'),
    ...readdirSync(join(ROOT, 'packages')).map((name) => join(ROOT, 'packages', name, 'package.json')),
  ];
  const names = new Set<string>();
  for (const manifest of manifests.filter((path) => existsSync(path))) {
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const name of Object.keys(json[field] ?? {})) if (!name.startsWith('@baton/')) names.add(name);
    }
  }
  return [...names];
}

/**
 * The bundle of `entry`, built once per test process under node_modules (so its imports resolve), named by its
 * content hash so concurrent test files share it; bundles of older sources are removed after a day.
 */
export function childBundle(entry: string): string {
  const known = bundles.get(entry);
  if (known !== undefined) return known;
  const folder = join(ROOT, 'node_modules', '.cache', 'baton-process-tests');
  mkdirSync(folder, { recursive: true });
  const [output] = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: folder,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@baton/source'],
    external: externalPackages(),
    logLevel: 'warning',
  }).outputFiles;
  const base = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  const name = `${base}-${createHash('sha256').update(output!.contents).digest('hex').slice(0, 16)}.mjs`;
  const outfile = join(folder, name);
  if (!existsSync(outfile)) {
    const partial = `${outfile}.${process.pid}.tmp`;
    writeFileSync(partial, output!.contents);
    renameSync(partial, outfile);
  }
  for (const old of readdirSync(folder)) {
    const path = join(folder, old);
    if (old.startsWith(`${base}-`) && old !== name && Date.now() - statSync(path).mtimeMs > 86_400_000) {
      rmSync(path, { force: true });
    }
  }
  bundles.set(entry, outfile);
  return outfile;
}

export type LineMatch = string | RegExp | ((line: string) => boolean);

export interface ChildHandle {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every line it printed so far. */
  readonly lines: readonly string[];
  /** Resolves with the first line from index `from` on that matches; rejects if it exits first or the time is up. */
  waitFor(match: LineMatch, options?: { from?: number; timeoutMs?: number }): Promise<string>;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  readonly alive: boolean;
  /** When `kill()` saw it gone (ms since epoch), if it was alive then: nothing it started runs past this. */
  readonly killedAt: number | undefined;
  /** SIGKILL, then waits until the process is gone. */
  kill(): Promise<void>;
  /** The end of what it wrote to stderr, for failure messages. */
  stderr(): string;
}

const live = new Set<ChildProcess>();

const matches = (match: LineMatch, line: string) =>
  typeof match === 'string' ? line === match : match instanceof RegExp ? match.test(line) : match(line);

/** Spawns `node <bundle of entry> <config as JSON>` from the repository's root. */
export function spawnChild(name: string, entry: string, config: object): ChildHandle {
  const child = spawn(process.execPath, [childBundle(entry), JSON.stringify(config)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let errors = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const listener of [...listeners]) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      for (const listener of [...listeners]) listener();
      resolve(code);
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  let killedAt: number | undefined;
  return {
    name,
    child,
    lines,
    exited,
    get alive() {
      return !gone();
    },
    get killedAt() {
      return killedAt;
    },
    stderr: () => errors,
    waitFor(match, { from = 0, timeoutMs = 60_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.slice(from).find((line) => matches(match, line));
          if (found !== undefined) done(() => resolve(found));
          else if (gone()) done(() => reject(new Error(`${name} exited before printing ${String(match)}:\n${errors}`)));
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`${name} did not print ${String(match)}; it printed:\n${lines.join('\n')}\n${errors}`)),
            ),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async kill() {
      const alive = !gone();
      if (alive) child.kill('SIGKILL');
      await exited;
      // Taken once it is gone: nothing it started can still be running after this.
      if (alive) killedAt = Date.now();
    },
  };
}

/** SIGKILLs every child still alive (cleanup after a failed test). */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
