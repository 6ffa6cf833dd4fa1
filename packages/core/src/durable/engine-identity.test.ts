import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultEngineId, isGoneLocalEngine } from './engine-identity.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('engine identity', () => {
  const id = defaultEngineId();
  const tag = id.slice(-8, -4);

  it('names an engine by host, pid and a tag of its boot and PID namespace', () => {
    expect(id).toMatch(new RegExp(`^${hostname()}-${process.pid}-[0-9a-f]{8}$`));
    expect(defaultEngineId().slice(-8, -4)).toBe(tag);
    expect(defaultEngineId()).not.toBe(id);
  });

  it('takes an engine of this machine whose process has exited for gone, and nothing else', () => {
    const pid = deadPid();
    expect(isGoneLocalEngine(`${hostname()}-${pid}-${tag}abcd`)).toBe(true);
    expect(isGoneLocalEngine(id)).toBe(false);
    expect(isGoneLocalEngine(`${hostname()}-${process.ppid}-${tag}abcd`)).toBe(false);
    expect(isGoneLocalEngine(`another-host-${pid}-${tag}abcd`)).toBe(false);
    const otherTag = tag === 'ffff' ? '0000' : 'ffff';
    expect(isGoneLocalEngine(`${hostname()}-${pid}-${otherTag}abcd`)).toBe(false);
    expect(isGoneLocalEngine('worker-a')).toBe(false);
  });
});
