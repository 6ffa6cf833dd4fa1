/**
 * The exit codes of `baton`, the same for every command, so scripts and CI can tell a failed check from a mistake
 * in the call, from input that cannot be used, from a server that is away or says no, from a failed orchestration,
 * from a bug.
 */
export const EXIT_CODES = {
  /** The command did what was asked; a check passed; an orchestration succeeded. */
  ok: 0,
  /** The command ran and its check failed (`eval`: not similar). */
  checkFailed: 1,
  /** The call was wrong: unknown option, missing or empty argument, bad option value, no server configured. */
  usage: 2,
  /** What the call named cannot be used: an unreadable or malformed file, a model that cannot be loaded. */
  input: 3,
  /** Baton itself failed unexpectedly; `--debug` prints the stack. */
  internal: 4,
  /** The server could not be reached (refused connection, unknown host, timeout), failed (5xx) or is not Baton. */
  unreachable: 5,
  /** The server answered and refused the request: a bad key or token (401/403), an unknown id (404), a conflict (409), an invalid request (400/422). */
  refused: 6,
  /** The orchestration ended without succeeding: it failed, was cancelled, or its action could not be planned. */
  orchestrationFailed: 7,
  /** Stopped by Ctrl-C (SIGINT), as shells count it; `baton run` says the orchestration goes on without it. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  done; a check passed; the orchestration succeeded
  1  the check failed (eval: the prompts would not share an answer)
  2  usage mistake: unknown option, missing or empty argument, bad option value, no server configured
  3  unusable input: a file that cannot be read or parsed, a model that cannot be loaded
  4  unexpected internal error (run again with --debug for the stack)
  5  the server could not be reached (connection refused, unknown host, timeout), failed (5xx), or is not a Baton server
  6  the server refused the request: bad API key or admin token (401/403), unknown id (404), conflict (409),
     invalid request (400/422, also an action no template covers on a server with no model); the message says which
  7  the orchestration failed or was cancelled, or the model could not plan its action (run)
  130  stopped by Ctrl-C (run: the orchestration goes on; baton logs ID -f follows it, baton cancel ID stops it)`;
