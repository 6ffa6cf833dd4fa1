export { createStoreIdempotencyStore, type StoreIdempotencyOptions } from './durable-idempotency.js';
export { memoFromJournal, type RunMemo, type StepMemoEntry } from './step-memo.js';
