/**
 * A service in its own process: connects to a Baton server, registers `weather` with its schemas, and answers tasks
 * until Ctrl-C, when it finishes what it runs and leaves. Start a server (`npx baton serve`), create a project with
 * the admin token it printed, then:
 *
 *   BATON_URL=http://127.0.0.1:7400 BATON_API_KEY=bk_… npm run example:service
 *
 * It prints one line for each connection that opens, fails or closes, with the reason. A server that cannot be
 * reached is tried again until it answers; a key the server refuses, a revoked key or a deleted service ends it.
 */
import { createService } from '@baton/sdk';
import { z } from 'zod';

const url = process.env.BATON_URL ?? 'http://127.0.0.1:7400';
const apiKey = process.env.BATON_API_KEY;
if (apiKey === undefined || apiKey === '') {
  console.error('set BATON_API_KEY to a project key (POST /v1/projects with the admin token gives one)');
  process.exit(2);
}

const weather = createService({
  name: 'weather',
  description: 'The current temperature in a city, in degrees Celsius',
  input: z.object({ city: z.string().min(1) }),
  output: z.object({ city: z.string(), celsius: z.number() }),
  handler: async ({ city }, ctx) => {
    ctx.progress({ looking: city });
    // A real service would call a weather API here, passing ctx.signal so a cancelled task stops.
    return { city, celsius: Math.round(10 + ((city.length * 7) % 20)) };
  },
});

weather.subscribe((event) => {
  if (event.type === 'connection-open') console.log(`connected to ${event.url}`);
  if (event.type === 'connection-fail') console.error(`could not connect to ${event.url}: ${event.message}`);
  if (event.type === 'connection-close') {
    const reason = event.reason === '' ? '' : ` (${event.reason})`;
    console.error(`the connection to ${event.url} closed with code ${event.code}${reason}`);
  }
});
try {
  await weather.start({ url, apiKey });
} catch (error) {
  console.error(`weather did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`weather is registered with ${url} as instance ${weather.instanceId}`);
weather.subscribe((event) => {
  if (event.type !== 'connection-end') return;
  console.error(`weather stopped: ${event.message}`);
  void weather.stop().then(() => process.exit(1));
});
process.once('SIGINT', () => void weather.stop().then(() => process.exit(0)));
