/**
 * The Node.js flags the server runs with when `baton serve` starts it (the `baton` executable's first line passes them
 * to node). A server allocates many short-lived objects per request and per task — parsed bodies, socket messages,
 * journal entries — and V8's default young generation (16 MiB semi-spaces) fills many times a second under load, each
 * time copying what is still alive. 64 MiB semi-spaces collect a quarter as often; in `npm run bench`
 * (`server/orchestrations-per-s-sqlite`) the server's CPU time per orchestration drops by about 12 %, at the price of
 * up to about 190 MiB more memory while busy. A process that embeds `startServer` chooses its own flags; these are
 * the ones to pass to node for the same effect.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
