/**
 * Where a service keeps the instance id its last `welcome` gave, so a restarted process re-attaches as the same
 * instance and receives the messages the server still holds for it. The default is one JSON file per service under
 * `.baton/instances/`, readable only by its owner (mode 0600).
 *
 * @example
 * const store = fileInstanceStore({ directory: '/var/lib/my-service/baton' });
 * createService({ name: 'send-invoice', …, instanceStore: store });
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

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
  const fileOf = (serviceName: string) => path.join(directory, `${serviceName}.json`);
  return {
    async load(serviceName) {
      let text: string;
      try {
        text = await readFile(fileOf(serviceName), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const parsed = JSON.parse(text) as { instanceId?: unknown };
      return typeof parsed.instanceId === 'string' ? parsed.instanceId : undefined;
    },
    async save(serviceName, instanceId) {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const file = fileOf(serviceName);
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
