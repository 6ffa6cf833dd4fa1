import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@baton/source'] },
  ssr: { resolve: { conditions: ['@baton/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // eventsource-parser (under the AI SDK) also exports a `source` condition pointing at its .ts files; Vite
    // transforms it and its importers instead of handing them to Node.
    server: { deps: { inline: ['ai', /@ai-sdk\//, 'eventsource-parser'] } },
  },
});
