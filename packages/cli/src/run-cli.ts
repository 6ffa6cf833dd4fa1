/** The process entry of `baton`: runs the CLI on this process's arguments and exits with its code. */
import { main } from './main.js';

// A reader that stops early (`baton logs … | head -1`) closes the pipe: stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await main(process.argv);
