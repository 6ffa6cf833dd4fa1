/**
 * Where a service keeps the instance id its last `welcome` gave, so a restarted process re-attaches as the same
 * instance and receives the messages the server still holds for it. The default is one JSON file per service under
 * `.baton/instances/`, readable only by its owner (mode 0600).
 *
 * Several processes of one service started from the same folder must not share an id: the server would take each
 * one's socket for the other coming back, and close it, for ever. So each process claims a slot with a lock file
 * holding its pid (`<name>.json.lock`, then `<name>.2.json.lock`, …): the first free slot, or one whose process is
 * gone (killed, crashed) — the slot a restarted process finds again. Locks go when the process exits.
 *
 * @example
 * const store = fileInstanceStore({ directory: '/var/lib/my-service/baton' });
 * createService({ name: 'send-invoice', …, instanceStore: store });
 */
import { unlinkSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MAX_SLOTS = 1000;

/** Lock files this process holds, removed when it exits. */
const heldLocks = new Set<string>();
let releasingAtExit = false;

function releaseAtExit(lock: string): void {
  heldLocks.add(lock);
  if (releasingAtExit) return;
  releasingAtExit = true;
  process.once('exit', () => {
    for (const held of heldLocks) {
      try {
        unlinkSync(held);
      } catch {
        // Gone already: nothing to release.
      }
    }
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `lock` for this process: free, already this process's, or left by a process that is gone. */
async function tryLock(lock: string, retakeStale = true): Promise<boolean> {
  try {
    await writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
    releaseAtExit(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
  if (holder === process.pid) return true;
  if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) return false;
  if (!retakeStale) return false;
  await rm(lock, { force: true });
  return tryLock(lock, false);
}

async function claimSlot(directory: string, serviceName: string): Promise<string> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  for (let slot = 1; slot <= MAX_SLOTS; slot++) {
    const file = path.join(directory, slot === 1 ? `${serviceName}.json` : `${serviceName}.${slot}.json`);
    if (await tryLock(`${file}.lock`)) return file;
  }
  throw new Error(`no free instance slot for service "${serviceName}" in ${directory}: ${MAX_SLOTS} are held`);
}

export interface InstanceStore {
  load(serviceName: string): Promise<string | undefined>;
  save(serviceName: string, instanceId: string): Promise<void>;
}

export interface FileInstanceStoreOptions {
  /** @default '<cwd>/.baton/instances' */
  directory?: string;
}

export function fileInstanceStore(options: FileInstanceStoreOptions = {}): InstanceStore {
  const directory = options.directory ?? path.join(process.cwd(), '.baton', 'instances');
  const claimed = new Map<string, Promise<string>>();
  const fileOf = (serviceName: string) => {
    let file = claimed.get(serviceName);
    if (file === undefined) {
      file = claimSlot(directory, serviceName);
      claimed.set(serviceName, file);
    }
    return file;
  };
  return {
    async load(serviceName) {
      let text: string;
      try {
        text = await readFile(await fileOf(serviceName), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const parsed = JSON.parse(text) as { instanceId?: unknown };
      return typeof parsed.instanceId === 'string' ? parsed.instanceId : undefined;
    },
    async save(serviceName, instanceId) {
      const file = await fileOf(serviceName);
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify({ instanceId })}\n`, { mode: 0o600 });
      await chmod(temporary, 0o600);
      await rename(temporary, file);
    },
  };
}

/**
 * Keeps instance ids for the life of the process only: a restarted process registers as a new instance.
 *
 * @example
 * createService({ name: 'resize-image', …, instanceStore: memoryInstanceStore() });
 */
export function memoryInstanceStore(): InstanceStore {
  const ids = new Map<string, string>();
  return {
    load: async (serviceName) => ids.get(serviceName),
    save: async (serviceName, instanceId) => {
      ids.set(serviceName, instanceId);
    },
  };
}
