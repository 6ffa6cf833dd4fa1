import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeWithin, cutShortLine, goingOnLines, keptLines, STOP_GRACE_MS } from './stop-quickstart.js';

const never = new Promise<never>(() => {});

afterEach(() => {
  vi.useRealTimers();
});

describe('closeWithin', () => {
  it('is closed when the close ends first', async () => {
    expect(await closeWithin(Promise.resolve(), never)).toBe('closed');
  });

  it('is cut short by a second Ctrl-C while the close goes on', async () => {
    expect(await closeWithin(never, Promise.resolve('SIGINT'))).toBe('again');
  });

  it('is cut short once the grace has passed', async () => {
    vi.useFakeTimers();
    const ended = closeWithin(never, never);
    await vi.advanceTimersByTimeAsync(STOP_GRACE_MS);
    expect(await ended).toBe('grace');
  });
});

describe('what the stop says', () => {
  const unfinished = [
    { id: 'orc_1', status: 'compensating' },
    { id: 'orc_2', status: 'waiting' },
  ];

  it('names the orchestrations it hands back, and where they are kept; nothing when there are none', () => {
    expect(keptLines(unfinished, '.baton/quickstart/baton.db')).toEqual([
      'Unfinished, kept in .baton/quickstart/baton.db for the next start to go on with: orc_1 (compensating), orc_2 (waiting)',
    ]);
    expect(keptLines([], 'db')).toEqual([]);
    expect(goingOnLines(unfinished)).toEqual([
      'Going on with what the last start left unfinished: orc_1 (compensating), orc_2 (waiting)',
    ]);
    expect(goingOnLines([])).toEqual([]);
  });

  it('says why it stopped at once, what it left, and that the next start goes on with it', () => {
    expect(cutShortLine('again', unfinished, 'baton.db')).toBe(
      'baton: stopped at once (Ctrl-C again); left unfinished: orc_1 (compensating), orc_2 (waiting). baton.db keeps it all: the next baton quickstart goes on with them',
    );
    expect(cutShortLine('grace', [], 'baton.db')).toMatch(
      /^baton: stopped at once \(the clean stop took more than 15 s\); left unfinished: whatever the server was doing\./,
    );
    const many = Array.from({ length: 12 }, (_, n) => ({ id: `orc_${n}`, status: 'running' }));
    expect(cutShortLine('again', many, 'baton.db')).toContain('orc_9 (running), and 2 more.');
  });
});
