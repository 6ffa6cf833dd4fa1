/**
 * The exit codes of `baton`, the same for every command, so scripts and CI can tell a failed check from a mistake
 * in the call, from input that cannot be used, from a bug.
 */
export const EXIT_CODES = {
  /** The command did what was asked; a check passed. */
  ok: 0,
  /** The command ran and its check failed (`eval`: not similar). */
  checkFailed: 1,
  /** The call was wrong: unknown option, missing or empty argument, bad option value. */
  usage: 2,
  /** What the call named cannot be used: an unreadable or malformed file, a model that cannot be loaded. */
  input: 3,
  /** Baton itself failed unexpectedly; `--debug` prints the stack. */
  internal: 4,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  done; a check passed
  1  the check failed (eval: the prompts would not share an answer)
  2  usage mistake: unknown option, missing or empty argument, bad option value
  3  unusable input: a file that cannot be read or parsed, a model that cannot be loaded
  4  unexpected internal error (run again with --debug for the stack)`;
