import { describe, expect, it } from 'vitest';
import { EventStream } from './event-stream.js';

async function readAll<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const item of stream) seen.push(item);
  return seen;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('EventStream', () => {
  it('gives a reader that starts late every event from the start', async () => {
    const stream = new EventStream<number>();
    stream.push(1);
    stream.push(2);
    const reading = readAll(stream);
    stream.push(3);
    stream.close();
    expect(await reading).toEqual([1, 2, 3]);
    expect(await readAll(stream)).toEqual([1, 2, 3]);
  });

  it('gives every concurrent reader every event, in order', async () => {
    const stream = new EventStream<string>();
    const one = readAll(stream);
    const two = readAll(stream);
    for (const letter of ['a', 'b', 'c']) {
      stream.push(letter);
      await tick();
    }
    stream.close();
    expect(await one).toEqual(['a', 'b', 'c']);
    expect(await two).toEqual(['a', 'b', 'c']);
  });

  it('ends readers waiting for more when it closes, and ignores pushes after', async () => {
    const stream = new EventStream<number>();
    const reading = readAll(stream);
    await tick();
    stream.close();
    stream.push(1);
    expect(await reading).toEqual([]);
    expect(stream.snapshot()).toEqual([]);
  });

  it('calls subscribers synchronously until they unsubscribe', () => {
    const stream = new EventStream<number>();
    const seen: number[] = [];
    const stop = stream.subscribe((n) => seen.push(n));
    stream.push(1);
    expect(seen).toEqual([1]);
    stop();
    stream.push(2);
    expect(seen).toEqual([1]);
    expect(stream.snapshot()).toEqual([1, 2]);
  });

  it('without retention keeps no history but still delivers to readers after they start', async () => {
    const stream = new EventStream<number>(false);
    stream.push(1);
    const one = readAll(stream);
    await tick();
    stream.push(2);
    const two = readAll(stream);
    await tick();
    stream.push(3);
    stream.close();
    expect(await one).toEqual([2, 3]);
    expect(await two).toEqual([3]);
    expect(stream.snapshot()).toEqual([]);
  });

  it('lets a reader stop early without disturbing others', async () => {
    const stream = new EventStream<number>();
    stream.push(1);
    stream.push(2);
    for await (const n of stream) {
      expect(n).toBe(1);
      break;
    }
    stream.push(3);
    stream.close();
    expect(await readAll(stream)).toEqual([1, 2, 3]);
  });
});
