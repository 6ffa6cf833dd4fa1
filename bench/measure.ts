/** Timing helpers for benchmarks: warm up, take samples, report the median (or a percentile). */

export interface Sample {
  /** Milliseconds per iteration, one entry per sample. */
  samples: number[];
}

export async function sampleAsync(
  fn: () => Promise<unknown>,
  options: { warmup: number; samples: number },
): Promise<number[]> {
  for (let i = 0; i < options.warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < options.samples; i++) {
    const start = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

/**
 * `sampleAsync` of several functions at once, one sample of each in turn (the first to go rotating), so the machine's
 * drift and a neighbour's burst of load fall on every side alike; returns each function's samples, in order.
 */
export async function sampleInterleaved(
  fns: readonly (() => Promise<unknown>)[],
  options: { warmup: number; samples: number },
): Promise<number[][]> {
  for (const fn of fns) for (let i = 0; i < options.warmup; i++) await fn();
  const out = fns.map((): number[] => []);
  for (let i = 0; i < options.samples; i++) {
    for (let k = 0; k < fns.length; k++) {
      const at = (i + k) % fns.length;
      const start = process.hrtime.bigint();
      await fns[at]!();
      out[at]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return out;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at] as number;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export interface BenchLine {
  case: string;
  unit: string;
  baton: number;
  peer?: number;
  peerName?: string;
  ratio?: number;
  target?: number;
  /** The least the figure could be on this machine (e.g. a raw socket round trip for a dispatch), when measured. */
  floor?: number;
  better: 'lower' | 'higher';
  n: number;
}

/** One JSON object per line on stdout, as BENCH.md specifies. */
export function report(line: BenchLine): void {
  const { n, better, ...rest } = line;
  const out: BenchLine = { ...rest, baton: round(line.baton), better, n };
  if (line.floor !== undefined) out.floor = round(line.floor, 3);
  if (line.peer !== undefined) {
    out.peer = round(line.peer);
    out.ratio = round(line.better === 'lower' ? line.peer / line.baton : line.baton / line.peer);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
