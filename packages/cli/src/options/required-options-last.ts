/**
 * commander checks a command's required options before its unknown ones, so a misspelt required option was reported
 * as missing: `baton tools eval --tool x` said `required option '--tools <file>' not specified`. Here required options
 * are checked after commander has refused unknown options (with its "Did you mean" suggestion) and bad arguments, in a
 * `preAction` hook, with commander's own message and error code.
 */
import type { Command } from 'commander';

/** Moves the check of `command`'s required options after its check of unknown options. */
export function checkRequiredOptionsLast(command: Command): void {
  const required = command.options.filter((option) => option.mandatory);
  if (required.length === 0) return;
  for (const option of required) option.makeOptionMandatory(false);
  command.hook('preAction', (hooked) => {
    const missing = required.find((option) => hooked.getOptionValue(option.attributeName()) === undefined);
    if (missing !== undefined) {
      hooked.error(`error: required option '${missing.flags}' not specified`, {
        code: 'commander.missingMandatoryOptionValue',
      });
    }
  });
}
