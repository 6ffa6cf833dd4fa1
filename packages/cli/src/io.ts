/** Where a command writes, and the exit code it asks for: the process in production, buffers in tests. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  exitCode: number;
}

export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    exitCode: 0,
  };
}
