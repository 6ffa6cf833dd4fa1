/**
 * The Node.js flags the server runs with when `baton serve` starts it (the `baton` executable's first line passes them
 * to node). A server allocates many short-lived objects per request and per task — parsed bodies, socket messages,
 * journal entries — and V8's default young generation (16 MiB semi-spaces) fills many times a second under load, each
 * time copying what is still alive. With semi-spaces four times as large it fills less often: interleaved runs of two
 * servers under the `server/orchestrations-per-s-sqlite` load measured 5–17 % less server CPU per orchestration, for
 * about 55 MiB more resident memory while busy. A process that embeds `startServer` chooses its own flags; these are
 * the ones to pass to node for the same effect.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
