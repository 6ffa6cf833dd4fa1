import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@baton/source'] },
  ssr: { resolve: { conditions: ['@baton/source'] } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'baton',
          include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/install/pack-install.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Installing the packed tarballs compiles native modules: it runs after every other file, so neither slows the
        // other down.
        extends: true,
        test: {
          name: 'install',
          include: ['test/install/pack-install.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
