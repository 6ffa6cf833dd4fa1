/**
 * Ctrl-C while `baton run` follows an orchestration stops the following, not the orchestration: one line on stderr
 * says so and how to follow or stop it, and the process exits 130 as after any Ctrl-C.
 */
import { EXIT_CODES } from '../exit-codes.js';
import type { Io } from '../io.js';

/** The line printed at Ctrl-C. */
export function interruptHint(id: string): string {
  return `baton: stopped following; orchestration ${id} is still running: baton logs ${id} -f follows it, baton cancel ${id} stops it`;
}

/**
 * Runs `follow`; a SIGINT meanwhile prints `interruptHint` and exits.
 *
 * @example
 * const final = await hintOnInterrupt(io, run.id, () => followOrchestration(client, io, accepted, options));
 */
export async function hintOnInterrupt<T>(io: Io, id: string, follow: () => Promise<T>): Promise<T> {
  const onInterrupt = () => {
    io.err(interruptHint(id));
    process.exit(EXIT_CODES.interrupted);
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await follow();
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
