import { describe, expect, it } from 'vitest';
import { normalizeServerUrl, sameServer } from './server-url.js';

describe('server URLs', () => {
  it.each([
    ['http://127.0.0.1:7400', 'http://127.0.0.1:7400/'],
    ['HTTP://Example.COM:80/', 'http://example.com'],
    ['https://example.com:443', 'https://example.com/'],
    [' http://example.com/baton/ ', 'http://example.com/baton'],
  ])('%s and %s are the same server', (a, b) => {
    expect(sameServer(a, b)).toBe(true);
  });

  it.each([
    ['http://127.0.0.1:7400', 'http://127.0.0.1:7401'],
    ['http://127.0.0.1:7400', 'http://localhost:7400'],
    ['http://example.com', 'https://example.com'],
    ['http://example.com/a', 'http://example.com/b'],
  ])('%s and %s are different servers', (a, b) => {
    expect(sameServer(a, b)).toBe(false);
  });

  it('leaves a string that is not a URL as it is, but for spaces and trailing slashes', () => {
    expect(normalizeServerUrl(' not a url/ ')).toBe('not a url');
  });
});
