export { memoFromJournal, type RunMemo, type StepMemoEntry } from './step-memo.js';
