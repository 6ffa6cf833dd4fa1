/**
 * A service in its own process: connects to a Baton server, registers `weather` with its schemas, and answers tasks
 * until Ctrl-C, when it finishes what it runs and leaves. Start a server (`npx baton serve`), create a project with
 * the admin token it printed, then:
 *
 *   BATON_URL=http://127.0.0.1:7400 BATON_API_KEY=bk_… npm run example:service
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
  if (event.type === 'connection-open' || event.type === 'connection-close') console.log(event.type);
});
await weather.start({ url, apiKey });
console.log(`weather is registered with ${url} as instance ${weather.instanceId}`);
process.once('SIGINT', () => void weather.stop().then(() => process.exit(0)));
