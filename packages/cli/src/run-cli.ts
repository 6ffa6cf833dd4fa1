/** The process entry of `baton`: runs the CLI on this process's arguments and exits with its code. */
import { main } from './main.js';

process.exitCode = await main(process.argv);
