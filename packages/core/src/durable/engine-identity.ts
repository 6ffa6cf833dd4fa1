/**
 * An engine's name in leases, `<hostname>-<pid>-<tag><random>`, and whether the engine behind such a name is gone.
 *
 * The tag (4 hex digits) stands for this machine's boot and PID namespace (Linux: `/proc/sys/kernel/random/boot_id`
 * and `/proc/self/ns/pid`): only an engine with the same hostname and tag ran where its pid can be checked from here,
 * so only its leases can be ended at once when that pid is gone — a restarted process takes up the runs its earlier
 * life held without waiting for their leases to lapse. Another container with the same hostname has another PID
 * namespace, so another tag, and its runs wait for their leases as any other engine's. A pid taken by a new process
 * looks alive, so its runs wait too: the check errs only towards waiting. Where there is no `/proc`, no engine is
 * ever taken for gone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { isProcessAlive } from './process-alive.js';

let tag: string | null | undefined;

/** This machine's boot and PID namespace as 4 hex digits, or null where they cannot be read. */
function localTag(): string | null {
  if (tag === undefined) {
    try {
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const namespace = readlinkSync('/proc/self/ns/pid');
      tag = createHash('sha256').update(`${boot}\n${namespace}`).digest('hex').slice(0, 4);
    } catch {
      tag = null;
    }
  }
  return tag;
}

/** A new engine's name: `<hostname>-<pid>-<8 hex digits>`, the first 4 the local tag where there is one. */
export function defaultEngineId(): string {
  const random = randomBytes(4).toString('hex');
  const local = localTag();
  return `${hostname()}-${process.pid}-${local === null ? random : `${local}${random.slice(4)}`}`;
}

const ENGINE_ID = /^(.+)-(\d+)-([0-9a-f]{4})[0-9a-f]{4}$/;

/**
 * True when `engineId` names an engine of this machine, boot and PID namespace (`defaultEngineId`) whose process no
 * longer exists. Any other name — another host, an engine named by its user, a live pid — is false.
 */
export function isGoneLocalEngine(engineId: string): boolean {
  const match = ENGINE_ID.exec(engineId);
  const local = localTag();
  if (match === null || local === null || match[1] !== hostname() || match[3] !== local) return false;
  const pid = Number(match[2]);
  return pid !== process.pid && pid > 0 && !isProcessAlive(pid);
}
