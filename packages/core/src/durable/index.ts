export { createStoreIdempotencyStore, type StoreIdempotencyOptions } from './durable-idempotency.js';
export { defaultEngineId } from './engine-identity.js';
export { describeNotice, type EngineNotice, RunLeftError } from './engine-notice.js';
export { isProcessAlive } from './process-alive.js';
export { memoFromJournal, type RunMemo, type StepMemoEntry } from './step-memo.js';
