/** Where a command writes, and the exit code it asks for: the process in production, buffers in tests. */

/** The stream `out` writes to; a live display draws on it when it is a terminal. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  exitCode: number;
  /** What `out` writes to; absent means not a terminal (plain lines only). */
  stdout?: OutputStream;
}

export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    exitCode: 0,
    stdout: process.stdout,
  };
}

/** Whether live output (redrawn in place) may be used: only on a terminal. */
export function isTerminal(io: Io): boolean {
  return io.stdout?.isTTY === true;
}

/**
 * Whether steps may be redrawn in place: on a terminal that reports its size. A pseudo-terminal opened without one
 * reports 0 rows, where a redrawn region would show nothing at all; it gets plain lines, as a pipe does.
 */
export function canRedraw(io: Io): boolean {
  return isTerminal(io) && io.stdout?.rows !== 0 && io.stdout?.columns !== 0;
}
