/** Ids: time-ordered run ids, and random bytes for ids drawn in bulk. */

export { keyedRunId } from './keyed-run-id.js';
export { pooledRandomBytes } from './random-pool.js';
export { newRunId } from './run-id.js';
