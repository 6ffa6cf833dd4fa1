/**
 * Resolves at the first SIGINT or SIGTERM, and from then on ignores both, so a clean stop is not cut short: Ctrl-C
 * under `npm start` reaches the process twice (once from the terminal, once forwarded by npm).
 */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => resolve(signal);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
