import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sse-parser.js';

const SAMPLE =
  '\uFEFF: a comment\r\n' +
  'event: run-start\r\nid: 1\r\ndata: {"a":1}\r\n\r\n' +
  'data: line one\ndata:line two\ndata\n\n' +
  'id: 2\revent: step-finish\rdata: héllo ✓ 日本\rdata:  two spaces\r\r' +
  'id: bad\0id\ndata: x\n\n' +
  'retry: 1500\nretry: 15x\n:keepalive\n\n' +
  'event: no-data\n\n' +
  'id\ndata: reset\nunknown: field\n\n' +
  'data: trailing event without its blank line';

const EXPECTED: SseEvent[] = [
  { type: 'run-start', data: '{"a":1}', id: '1', lastEventId: '1' },
  { type: 'message', data: 'line one\nline two\n', id: undefined, lastEventId: '1' },
  { type: 'step-finish', data: 'héllo ✓ 日本\n two spaces', id: '2', lastEventId: '2' },
  { type: 'message', data: 'x', id: undefined, lastEventId: '2' },
  { type: 'message', data: 'reset', id: '', lastEventId: '' },
];

const bytes = new TextEncoder().encode(SAMPLE);

function parseChunks(chunks: Uint8Array[]) {
  const parser = createSseParser();
  const events = chunks.flatMap((chunk) => parser.push(chunk));
  parser.end();
  return { events, retryMs: parser.retryMs, lastEventId: parser.lastEventId };
}

describe('createSseParser', () => {
  it('parses a stream in one chunk: fields, comments, multi-line data, ids, retry, BOM, CRLF/LF/CR', () => {
    expect(parseChunks([bytes])).toEqual({ events: EXPECTED, retryMs: 1500, lastEventId: '' });
  });

  it('gives the same events however the bytes are split in two', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseChunks([bytes.slice(0, cut), bytes.slice(cut)]).events, `cut at byte ${cut}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events however the bytes are split in three', () => {
    for (let first = 1; first < bytes.length; first += 5) {
      for (let second = first; second <= bytes.length; second++) {
        const chunks = [bytes.slice(0, first), bytes.slice(first, second), bytes.slice(second)];
        expect(parseChunks(chunks).events, `cuts at ${first} and ${second}`).toEqual(EXPECTED);
      }
    }
  });

  it('gives the same events fed one byte at a time', () => {
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(parseChunks(chunks)).toEqual({ events: EXPECTED, retryMs: 1500, lastEventId: '' });
  });

  it('takes text as well as bytes, and strips only one BOM', () => {
    const parser = createSseParser();
    expect(parser.push('\uFEFF')).toEqual([]);
    expect(parser.push('\uFEFFdata: a\n\n')).toEqual([]);
    expect(parser.push('data: b\n\n')).toEqual([{ type: 'message', data: 'b', id: undefined, lastEventId: '' }]);
  });

  it('does not take a LF after a CR that ended one chunk as a second line ending', () => {
    const parser = createSseParser();
    expect(parser.push('data: a\r')).toEqual([]);
    expect(parser.push('\n')).toEqual([]);
    expect(parser.push('\r\n')).toEqual([{ type: 'message', data: 'a', id: undefined, lastEventId: '' }]);
  });

  it('starts from a given last event id and keeps it across events without one', () => {
    const parser = createSseParser({ lastEventId: '41' });
    expect(parser.lastEventId).toBe('41');
    expect(parser.push('data: a\n\nid: 42\ndata: b\n\n')).toEqual([
      { type: 'message', data: 'a', id: undefined, lastEventId: '41' },
      { type: 'message', data: 'b', id: '42', lastEventId: '42' },
    ]);
  });

  it('sets the last event id even from a block that dispatches nothing', () => {
    const parser = createSseParser();
    expect(parser.push('id: 7\n\n')).toEqual([]);
    expect(parser.lastEventId).toBe('7');
  });

  it('reads an event of megabytes that arrives in hundreds of chunks, whatever their line endings', () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    const bytes = new TextEncoder().encode(`id: 7\r\ndata: {"v":"${big}"}\r\ndata: end\r\n\r\n`);
    const parser = createSseParser();
    const events = [];
    for (let at = 0; at < bytes.length; at += 16 * 1024)
      events.push(...parser.push(bytes.subarray(at, at + 16 * 1024)));
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toBe(`{"v":"${big}"}\nend`);
    expect(events[0]?.id).toBe('7');
  });

  it('discards an event cut off by the end of the stream', () => {
    const parser = createSseParser();
    expect(parser.push('id: 9\ndata: half')).toEqual([]);
    parser.end();
    expect(parser.push('\n\n')).toEqual([]);
  });
});
