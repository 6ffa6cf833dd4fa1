import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../storage/run-store.js';
import { memoFromJournal } from './step-memo.js';

const subCall = (seq: number, data: Record<string, unknown>): JournalEntry =>
  ({ seq, type: 'sub-call-finish', stepKey: 'agent', data }) as unknown as JournalEntry;

describe('memoFromJournal', () => {
  it('reads sub-call outputs in every journaled form: JSON text, the undefined marker, and the older plain value', () => {
    const memo = memoFromJournal([
      subCall(0, { id: 'text', kind: 'call', json: '{"b":1,"a":2}', usage: { tokens: 1, costUsd: 0 } }),
      subCall(1, { id: 'nothing', kind: 'call', undefined: true, usage: { tokens: 0, costUsd: 0 } }),
      subCall(2, { id: 'old-null', kind: 'call', json: 'null', usage: { tokens: 0, costUsd: 0 } }),
      subCall(3, { id: 'older', kind: 'memo', output: { kept: true } }),
    ]);
    const calls = memo.subCalls.get('agent');
    expect(Object.keys(calls?.get('text')?.output as object)).toEqual(['b', 'a']);
    expect(calls?.has('nothing')).toBe(true);
    expect(calls?.get('nothing')?.output).toBeUndefined();
    expect(calls?.get('old-null')?.output).toBeNull();
    expect(calls?.get('older')).toEqual({ kind: 'memo', output: { kept: true }, usage: { tokens: 0, costUsd: 0 } });
  });
});
