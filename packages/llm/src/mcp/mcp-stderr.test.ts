import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { McpStderr } from './mcp-stderr.js';

function piped(forward: boolean) {
  const written: string[] = [];
  const stderr = new McpStderr('files', forward, (text) => written.push(text));
  const stream = new PassThrough();
  stderr.attach(stream);
  return { stderr, stream, written };
}

const ended = (stream: PassThrough) => new Promise((resolve) => stream.end(resolve));

describe('McpStderr', () => {
  it('passes each line on under the server name, whole lines only, however the chunks fall', async () => {
    const { stream, written } = piped(true);
    stream.write('listen');
    stream.write('ing on stdio\r\nready\n');
    stream.write('no newline at the end');
    await ended(stream);
    expect(written).toEqual(['[files] listening on stdio\n', '[files] ready\n', '[files] no newline at the end\n']);
  });

  it('keeps the last ten lines that say something, long ones cut, whether passed on or not', async () => {
    const { stderr, stream, written } = piped(false);
    for (let i = 1; i <= 12; i++) stream.write(`line ${i}\n`);
    stream.write(`${'x'.repeat(600)}\n\n`);
    await ended(stream);
    expect(written).toEqual([]);
    const tail = stderr.tail().split('\n');
    expect(tail.slice(0, 8)).toEqual([
      'line 5',
      'line 6',
      'line 7',
      'line 8',
      'line 9',
      'line 10',
      'line 11',
      'line 12',
    ]);
    expect(tail[8]).toBe(`${'x'.repeat(500)}…`);
    expect(tail).toHaveLength(9);
  });

  it('passes on a line that never ends once it is too long to hold', async () => {
    const { stream, written } = piped(true);
    stream.write('y'.repeat(9000));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toHaveLength(1);
    expect(written[0]!.length).toBe('[files] '.length + 9000 + 1);
  });

  it('says nothing when the server wrote nothing', () => {
    expect(new McpStderr('quiet', true).tail()).toBe('');
  });
});
