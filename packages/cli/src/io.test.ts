import { describe, expect, it } from 'vitest';
import { canRedraw, type Io, isTerminal } from './io.js';

const io = (stdout: Io['stdout']): Io => ({ out: () => {}, err: () => {}, exitCode: 0, ...(stdout ? { stdout } : {}) });
const write = () => true;

describe('terminal output', () => {
  it('redraws in place only on a terminal that reports a size', () => {
    expect(canRedraw(io({ write, isTTY: true, rows: 40, columns: 120 }))).toBe(true);
    // A terminal that does not say its size is taken as a usual one.
    expect(canRedraw(io({ write, isTTY: true }))).toBe(true);
    // A pseudo-terminal opened without a size: a redrawn region would show nothing.
    expect(canRedraw(io({ write, isTTY: true, rows: 0, columns: 0 }))).toBe(false);
    expect(isTerminal(io({ write, isTTY: true, rows: 0, columns: 0 }))).toBe(true);
    expect(canRedraw(io({ write, isTTY: false, rows: 40, columns: 120 }))).toBe(false);
    expect(canRedraw(io(undefined))).toBe(false);
  });
});
