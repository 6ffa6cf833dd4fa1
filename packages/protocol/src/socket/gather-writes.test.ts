import { describe, expect, it } from 'vitest';
import { type Corkable, deferToNextWrite, type FrameSocket, gatherTurn, sendDeferred } from './gather-writes.js';

/**
 * A transport that records what happens to it. Node sends what was written between `cork()` and `uncork()` in one
 * write, so the frames between a cork and its uncork are what one system call carries.
 */
function recorder() {
  const log: string[] = [];
  const transport: Corkable & { write(frame: string): void } = {
    cork: () => log.push('cork'),
    uncork: () => log.push('uncork'),
    write: (frame) => log.push(frame),
  };
  return { log, transport };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('gatherTurn', () => {
  it('corks once for the frames written in one turn, and uncorks on the next tick', async () => {
    const { log, transport } = recorder();
    for (const frame of ['a', 'b', 'c']) {
      gatherTurn(transport);
      transport.write(frame);
    }
    expect(log).toEqual(['cork', 'a', 'b', 'c']);
    await nextTurn();
    expect(log).toEqual(['cork', 'a', 'b', 'c', 'uncork']);
  });
});

describe('deferToNextWrite', () => {
  it('writes a deferred frame just before the next frame written, in the same corked write', async () => {
    const { log, transport } = recorder();
    deferToNextWrite(transport, () => transport.write('ack'));
    // The answer comes later in this turn, after promise jobs: the ack waits for it.
    await Promise.resolve();
    expect(log).toEqual([]);
    gatherTurn(transport);
    transport.write('result');
    await nextTurn();
    expect(log).toEqual(['cork', 'ack', 'result', 'uncork']);
  });

  it('writes deferred frames on their own, together, once the turn is over and nothing else was written', async () => {
    const { log, transport } = recorder();
    deferToNextWrite(transport, () => transport.write('ack-1'));
    deferToNextWrite(transport, () => transport.write('ack-2'));
    await Promise.resolve();
    expect(log).toEqual([]);
    await nextTurn();
    await nextTurn();
    expect(log).toEqual(['cork', 'ack-1', 'ack-2', 'uncork']);
  });

  it('writes each deferred frame once, also when the next write came before the turn ended', async () => {
    const { log, transport } = recorder();
    deferToNextWrite(transport, () => transport.write('ack'));
    gatherTurn(transport);
    transport.write('task');
    await nextTurn();
    await nextTurn();
    expect(log.filter((entry) => entry === 'ack')).toHaveLength(1);
  });
});

describe('sendDeferred', () => {
  const socketOn = (log: string[]): FrameSocket & { readyState: number } => ({
    readyState: 1,
    OPEN: 1,
    send: (text) => log.push(text),
  });

  it('sends at once on a socket whose transport is unknown', () => {
    const log: string[] = [];
    sendDeferred(socketOn(log), undefined, 'ack');
    expect(log).toEqual(['ack']);
  });

  it('sends with the next frame, and drops the frame when the socket closed before then', async () => {
    const { log, transport } = recorder();
    const open = socketOn(log);
    sendDeferred(open, transport, 'ack-1');
    gatherTurn(transport);
    expect(log).toEqual(['cork', 'ack-1']);
    await nextTurn();
    const closing = socketOn(log);
    sendDeferred(closing, transport, 'ack-2');
    closing.readyState = 3;
    await nextTurn();
    expect(log).toEqual(['cork', 'ack-1', 'uncork', 'cork', 'uncork']);
  });
});
