/**
 * Measures the lookup of long prompts: a 1 MB prompt stored and looked up again with one word changed (must miss),
 * the lookup time, and the longest gap between the ticks of a 1 ms interval timer meanwhile (the event loop blocked).
 * `node --conditions=@baton/source --import tsx scripts/measure-long-prompts.ts [bytes]`
 */
import { SemanticCache } from '../src/semantic-cache.js';

const bytes = Number(process.argv[2] ?? 1_000_000);
const words = ['report', 'revenue', 'growth', 'customer', 'market', 'quarter', 'team', 'plan', 'risk', 'cost'];
let text = '';
for (let i = 0; text.length < bytes; i++) text += `${words[(i * 7) % words.length]} ${i % 97} `;
const changed = text.replace('revenue', 'profit');
const ask = (content: string) => ({ model: 'm', messages: [{ role: 'user' as const, content }] });

const cache = new SemanticCache();
await cache.lookup(ask('warm up the vectors and the word table'));
await cache.store(ask(text), { finishReason: 'stop', text: 'answer' });
let lastTick = performance.now();
let longestGap = 0;
const ticker = setInterval(() => {
  const now = performance.now();
  longestGap = Math.max(longestGap, now - lastTick);
  lastTick = now;
}, 1);
await new Promise((resolve) => setTimeout(resolve, 20));
lastTick = performance.now();
let started = performance.now();
const same = await cache.lookup(ask(`${text} `));
const sameMs = performance.now() - started;
started = performance.now();
const other = await cache.lookup(ask(changed));
const otherMs = performance.now() - started;
await new Promise((resolve) => setTimeout(resolve, 5));
clearInterval(ticker);
console.log(
  JSON.stringify({
    promptBytes: text.length,
    identicalLookup: { status: same.status, ms: Math.round(sameMs) },
    oneWordChangedLookup: { status: other.status, ms: Math.round(otherMs) },
    longestEventLoopGapMs: Math.round(longestGap),
  }),
);
