/**
 * The quickstart's example services: small, offline and deterministic (the same question gets the same answer), so
 * the first run shows the system without any account or network. Each runs in a process of its own
 * (`service-process.ts`), connected to the server through the SDK like any service in any language.
 */
import { createService, NonRetryableError, type Service } from '@baton/sdk';
import { z } from 'zod';

const SKIES = ['clear', 'sunny', 'partly cloudy', 'overcast', 'light rain', 'windy'];
const TOPICS = ['transport', 'culture', 'markets', 'sport', 'science', 'food'];

/** A number from a text, the same every time. */
export function seed(text: string): number {
  let hash = 2166136261;
  for (const char of text.toLowerCase()) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

/**
 * The number in the `i`-th headline of a seed, from 10 to 99. The seed is an unsigned 32-bit number: `>>>` keeps it
 * unsigned (`>>` would read its top bit as a sign and give negative numbers).
 */
export function headlineNumber(seedValue: number, index: number): number {
  return ((seedValue >>> (index * 3)) % 90) + 10;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

/** Each example service, made when its process starts. */
export const EXAMPLE_SERVICES: Readonly<Record<string, () => Service>> = {
  weather: () =>
    createService({
      name: 'weather',
      description: 'The current weather in a city: sky and temperature in degrees Celsius',
      input: z.object({ city: z.string().min(1) }),
      output: z.object({ city: z.string(), sky: z.string(), celsius: z.number() }),
      handler: async ({ city }, ctx) => {
        await pause(300, ctx.signal);
        const n = seed(city);
        return { city, sky: SKIES[n % SKIES.length] as string, celsius: 8 + (n % 22) };
      },
    }),
  news: () =>
    createService({
      name: 'news',
      description: 'Today’s top three headlines about a city or a topic',
      input: z.object({ topic: z.string().min(1) }),
      output: z.object({ headlines: z.array(z.string()) }),
      handler: async ({ topic }, ctx) => {
        await pause(500, ctx.signal);
        const n = seed(topic);
        const headlines = [0, 1, 2].map(
          (i) => `${topic}: ${TOPICS[(n + i) % TOPICS.length]} story ${headlineNumber(n, i)}`,
        );
        return { headlines };
      },
    }),
  writer: () =>
    createService({
      name: 'writer',
      description: 'Writes a short morning briefing from a weather report and headlines',
      input: z.object({
        weather: z.object({ city: z.string(), sky: z.string(), celsius: z.number() }),
        headlines: z.array(z.string()),
      }),
      output: z.object({ briefing: z.string() }),
      handler: async ({ weather, headlines }, ctx) => {
        await pause(200, ctx.signal);
        const lines = [
          `Good morning, ${weather.city}: ${weather.sky}, ${weather.celsius} °C.`,
          ...headlines.map((line) => `• ${line}`),
        ];
        return { briefing: lines.join('\n') };
      },
    }),
  currency: () =>
    createService({
      name: 'currency',
      description: 'Converts an amount between two currencies (ISO codes) at a fixed daily rate',
      input: z.object({ amount: z.number().positive(), from: z.string().length(3), to: z.string().length(3) }),
      output: z.object({ amount: z.number(), currency: z.string(), rate: z.number() }),
      handler: async ({ amount, from, to }, ctx) => {
        await pause(150, ctx.signal);
        const perEuro: Record<string, number> = { EUR: 1, USD: 1.08, GBP: 0.85, JPY: 162, CHF: 0.95, BRL: 5.4 };
        const a = perEuro[from.toUpperCase()];
        const b = perEuro[to.toUpperCase()];
        if (a === undefined || b === undefined) {
          // Another attempt cannot help: the engine fails the step at once instead of retrying it.
          throw new NonRetryableError(
            `unknown currency ${a === undefined ? from : to}: this example knows ${Object.keys(perEuro).join(', ')}`,
            { code: 'unknown-currency' },
          );
        }
        const rate = Math.round((b / a) * 10_000) / 10_000;
        return { amount: Math.round(amount * rate * 100) / 100, currency: to.toUpperCase(), rate };
      },
    }),
};

export function exampleService(name: string): Service {
  const make = EXAMPLE_SERVICES[name];
  if (make === undefined) {
    throw new Error(
      `no example service ${JSON.stringify(name)}: there are ${Object.keys(EXAMPLE_SERVICES).join(', ')}`,
    );
  }
  return make();
}
