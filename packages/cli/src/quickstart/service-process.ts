/**
 * The process of one quickstart example service: `node service-process.js <name>` with `BATON_URL` and
 * `BATON_API_KEY` set. It connects, says `ready` on stdout once registered, and leaves cleanly on SIGTERM or SIGINT
 * (finishing what it runs), or when the process that started it ends.
 */
import { exampleService } from './example-services.js';

const name = process.argv[2] ?? '';
const service = exampleService(name);
const stop = () => void service.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The quickstart that started this process is gone (even killed with SIGKILL): nothing would stop this one.
process.once('disconnect', stop);
await service.start({ url: process.env.BATON_URL ?? 'http://127.0.0.1:7400', apiKey: process.env.BATON_API_KEY ?? '' });
process.stdout.write(`ready ${name}\n`);
