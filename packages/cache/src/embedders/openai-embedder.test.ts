import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingFailedError } from '../errors.js';
import { createOpenAIEmbedder } from './openai-embedder.js';

let server: Server;
let baseURL: string;
const requests: { authorization?: string; body: { model: string; input: string[] } }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const body = JSON.parse(raw) as { model: string; input: string[] };
      requests.push({ authorization: request.headers.authorization, body });
      if (body.model === 'broken') {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"overloaded"}}');
        return;
      }
      const size = body.model === 'wrong-size' ? 2 : 3;
      // Reverse the order to check that results are put back by index.
      const data = body.input
        .map((text, index) => ({
          index,
          embedding: Array.from({ length: size }, (_, d) => (d === 0 ? text.length : 1)),
        }))
        .reverse();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data, model: body.model }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('createOpenAIEmbedder', () => {
  it('posts to /embeddings, batches, and returns normalized vectors in input order', async () => {
    requests.length = 0;
    const embedder = createOpenAIEmbedder({ baseURL, model: 'm', dimension: 3, apiKey: 'secret', maxBatchSize: 2 });
    const vectors = await embedder.embed(['a', 'bbb', 'cc']);
    expect(requests.map((r) => r.body.input)).toEqual([['a', 'bbb'], ['cc']]);
    expect(requests[0]!.authorization).toBe('Bearer secret');
    expect(vectors[1]![0]).toBeCloseTo(3 / Math.sqrt(11), 5);
    expect(vectors[0]![0]).toBeCloseTo(1 / Math.sqrt(3), 5);
  });

  it('turns an HTTP error into a retryable EmbeddingFailedError with the status', async () => {
    const embedder = createOpenAIEmbedder({ baseURL, model: 'broken', dimension: 3 });
    await expect(embedder.embed(['a'])).rejects.toSatisfy(
      (error) => EmbeddingFailedError.isInstance(error) && error.status === 503 && error.retryable,
    );
  });

  it('refuses vectors of the wrong size', async () => {
    const embedder = createOpenAIEmbedder({ baseURL, model: 'wrong-size', dimension: 3 });
    await expect(embedder.embed(['a'])).rejects.toThrow(/size 2, expected 3/);
  });

  it('validates its options', () => {
    expect(() => createOpenAIEmbedder({ baseURL: 'localhost', model: '', dimension: 0 })).toThrow(ValidationError);
  });
});
