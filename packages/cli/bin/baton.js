#!/usr/bin/env node
/**
 * The `baton` executable: loads the TypeScript entry through tsx's ESM API, with the `@baton/source` export condition
 * so the workspace packages resolve to their sources.
 */
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

registerHooks('./source-condition.js', import.meta.url);
register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
