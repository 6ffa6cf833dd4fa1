export { ApprovalExpiredError, DuplicateApprovalError } from '../storage/storage-errors.js';
export { createStoreIdempotencyStore, type StoreIdempotencyOptions } from './durable-idempotency.js';
export { approvalIdFor } from './durable-pauses.js';
export { memoFromJournal, type RunMemo, type StepMemoEntry } from './step-memo.js';
