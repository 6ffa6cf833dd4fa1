/**
 * Cache benchmarks: exact and semantic hit latency (embedding included) at 10k and 100k entries, the overhead a miss
 * adds, and the memory 100k entries take. The peer is LangChain.js's MemoryVectorStore over the same embedder and the
 * same prompts, the in-memory vector store people put in front of a model as a semantic cache.
 *
 * Memory is measured the same way on both sides, each filled on its own with nothing else alive: after full
 * collections, the growth of V8's heap plus external memory (ArrayBuffers included), plus, for Baton, the native
 * memory its HNSW graph holds (hnswlib allocates outside V8, so neither figure shows it; the cache reports it from
 * hnswlib's layout, which matches the process's RSS growth within a few percent).
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type CacheRequest, createSifEmbedder, type Embedder, SemanticCache, withEmbeddingCache } from '@baton/cache';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { promptAt, unseenPrompt } from './cache-prompts.js';
import { median, percentile, progress, report, sampleAsync } from './measure.js';

const require = createRequire(import.meta.url);
const PEER = `@langchain/classic@${(require('@langchain/classic/package.json') as { version: string }).version}`;
const SAMPLES = 400;
const ask = (text: string): CacheRequest => ({ model: 'bench-model', messages: [{ role: 'user', content: text }] });

/** The same SIF embedder behind LangChain's interface, so both sides pay the same embedding cost. */
class SifEmbeddings extends Embeddings {
  constructor(private readonly embedder: Embedder) {
    super({});
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return (await this.embedder.embed(texts)).map((vector) => Array.from(vector));
  }
  async embedQuery(text: string): Promise<number[]> {
    return Array.from((await this.embedder.embed([text]))[0]!);
  }
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const MB = 1024 * 1024;

/** Heap plus external memory after full collections, in MB; committed heap and RSS for the progress log only. */
function usedMemory(gc: () => void): { mb: number; committed: number; rss: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { mb: (usage.heapUsed + usage.external) / MB, committed: usage.heapTotal / MB, rss: usage.rss / MB };
}

/** Memory a structure built by `fill` adds, measured after it is built; `native` adds what V8 cannot see. */
async function measureFill<T>(
  gc: () => void,
  fill: () => Promise<T>,
  native: (built: T) => number,
): Promise<{ built: T; mb: number; log: string }> {
  const before = usedMemory(gc);
  const built = await fill();
  const after = usedMemory(gc);
  const rss = (after.rss - before.rss).toFixed(1);
  const log = `RSS grew ${rss} MB, V8's committed heap ${(after.committed - before.committed).toFixed(1)} MB`;
  return { built, mb: after.mb - before.mb + native(built) / MB, log };
}

/** A cache as `SemanticCache` builds it by default (SIF behind an LRU, memory store), over already-loaded word vectors. */
async function fillBaton(size: number, embedder: Embedder): Promise<SemanticCache> {
  const cache = new SemanticCache({ embedder: withEmbeddingCache(embedder), maxEntries: size + 1, ttlMs: null });
  for (let start = 0; start < size; start += 512) {
    const batch = [];
    for (let i = start; i < Math.min(size, start + 512); i++) {
      batch.push(cache.store(ask(promptAt(i).stored), { finishReason: 'stop', text: `answer ${i}` }));
    }
    await Promise.all(batch);
  }
  await cache.whenIndexBuilt();
  return cache;
}

async function fillPeer(size: number, embedder: Embedder): Promise<MemoryVectorStore> {
  const store = new MemoryVectorStore(new SifEmbeddings(embedder));
  for (let start = 0; start < size; start += 2048) {
    const texts = Array.from({ length: Math.min(2048, size - start) }, (_, k) => promptAt(start + k).stored);
    const vectors = (await embedder.embed(texts)).map((vector) => Array.from(vector));
    await store.addVectors(
      vectors,
      texts.map((text, k) => new Document({ pageContent: text, metadata: { answer: `answer ${start + k}` } })),
    );
  }
  return store;
}

/** Distinct query texts spread over the stored range (7919 is prime); `pick` decides which text to ask for entry i. */
function queries(size: number, pick: (i: number) => string): () => string {
  let next = 0;
  return () => pick((next++ * 7919) % size);
}

async function lookups(cache: SemanticCache, nextQuery: () => string, expect: 'exact' | 'semantic' | 'miss') {
  let matched = 0;
  const samples = await sampleAsync(
    async () => {
      const result = await cache.lookup(ask(nextQuery()));
      if ((result.status === 'hit' ? result.tier : 'miss') === expect) matched++;
    },
    { warmup: 50, samples: SAMPLES },
  );
  progress(`  baton ${expect}: ${matched}/${SAMPLES + 50} lookups answered as ${expect}`);
  return samples;
}

/** The peer scans every vector per query (~0.2 s at 100k), so it gets fewer samples there to keep the area short. */
async function peerLookups(store: MemoryVectorStore, nextQuery: () => string, samples = SAMPLES) {
  return sampleAsync(() => store.similaritySearchWithScore(nextQuery(), 1), { warmup: 10, samples });
}

/** 10k entries: exact hits and semantic hits on both sides; everything built here is released on return. */
async function runSmall(embedder: Embedder): Promise<void> {
  progress('cache: filling 10k entries');
  const small = await fillBaton(10_000, embedder);
  const smallPeer = await fillPeer(10_000, embedder);
  const exact = await lookups(
    small,
    queries(10_000, (i) => promptAt(i).stored),
    'exact',
  );
  const exactPeer = await peerLookups(
    smallPeer,
    queries(10_000, (i) => promptAt(i).stored),
  );
  report({
    case: 'cache/exact-hit-p50',
    unit: 'ms',
    baton: median(exact),
    peer: median(exactPeer),
    peerName: PEER,
    better: 'lower',
    n: SAMPLES,
  });
  const semantic10k = await lookups(
    small,
    queries(10_000, (i) => promptAt(i).paraphrase),
    'semantic',
  );
  const semantic10kPeer = await peerLookups(
    smallPeer,
    queries(10_000, (i) => promptAt(i).paraphrase),
  );
  report({
    case: 'cache/semantic-hit-p50-10k',
    unit: 'ms',
    baton: median(semantic10k),
    peer: median(semantic10kPeer),
    peerName: PEER,
    better: 'lower',
    n: SAMPLES,
  });
  await small.close();
}

interface LargeRun {
  semantic: number[];
  miss: number[];
  mb: number;
}

async function runLargeBaton(gc: () => void, embedder: Embedder): Promise<LargeRun> {
  progress('cache: filling 100k entries (baton)');
  const started = performance.now();
  const {
    built: large,
    mb,
    log,
  } = await measureFill(
    gc,
    () => fillBaton(100_000, embedder),
    (cache) => cache.nativeMemoryBytes(),
  );
  progress(
    `  baton: filled in ${((performance.now() - started) / 1000).toFixed(1)} s; ${mb.toFixed(1)} MB ` +
      `(${(large.nativeMemoryBytes() / MB).toFixed(1)} MB of it native HNSW); ${log}`,
  );
  const semantic = await lookups(
    large,
    queries(100_000, (i) => promptAt(i).paraphrase),
    'semantic',
  );
  const miss = await lookups(
    large,
    queries(100_000, (i) => unseenPrompt(i)),
    'miss',
  );
  await large.close();
  return { semantic, miss, mb };
}

async function runLargePeer(gc: () => void, embedder: Embedder): Promise<LargeRun> {
  progress('cache: filling 100k entries (peer)');
  const {
    built: largePeer,
    mb,
    log,
  } = await measureFill(
    gc,
    () => fillPeer(100_000, embedder),
    () => 0,
  );
  progress(`  peer: ${mb.toFixed(1)} MB; ${log}`);
  const semantic = await peerLookups(
    largePeer,
    queries(100_000, (i) => promptAt(i).paraphrase),
  );
  const miss = await peerLookups(
    largePeer,
    queries(100_000, (i) => unseenPrompt(i)),
  );
  return { semantic, miss, mb };
}

export async function runCacheBench(): Promise<void> {
  const gc = collectGarbage();
  const embedder = createSifEmbedder();
  await embedder.load();
  await runSmall(embedder);
  const baton = await runLargeBaton(gc, embedder);
  const peer = await runLargePeer(gc, embedder);
  report({
    case: 'cache/semantic-hit-p50-100k',
    unit: 'ms',
    baton: median(baton.semantic),
    peer: median(peer.semantic),
    peerName: PEER,
    better: 'lower',
    n: SAMPLES,
  });
  report({
    case: 'cache/semantic-hit-p99-100k',
    unit: 'ms',
    baton: percentile(baton.semantic, 99),
    peer: percentile(peer.semantic, 99),
    peerName: PEER,
    better: 'lower',
    n: SAMPLES,
  });
  report({
    case: 'cache/miss-overhead-p50',
    unit: 'ms',
    baton: median(baton.miss),
    peer: median(peer.miss),
    peerName: PEER,
    better: 'lower',
    n: SAMPLES,
  });
  report({
    case: 'cache/memory-100k',
    unit: 'MB',
    baton: baton.mb,
    peer: peer.mb,
    peerName: PEER,
    better: 'lower',
    n: 100_000,
  });
}
