/**
 * The second half of the RunStore contract (see `run-store.contract.ts`): the journal and its blobs, approvals,
 * failed compensations, idempotency results, purge, and wake-ups.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from './journal-chain.js';
import type { RunStore } from './run-store.js';
import { type ContractContext, LONG_LEASE, newRun, readyRun } from './run-store-contract-kit.js';
import { ApprovalExpiredError, DuplicateRunError } from './storage-errors.js';

/** Over the default 64 KiB blob threshold. */
const bigText = (seed: string) => `${seed}:${'x'.repeat(70 * 1024)}`;

export function runJournalContract(context: ContractContext): void {
  const openOne = async () => (await context.database()).open();

  describe('journal', () => {
    it('appends entries with seq and a hash chain, and reads them back', async () => {
      const store = await openOne();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      const first = await store.appendJournal('run', 'engine-a', [{ type: 'run-start', data: { input: 1 } }]);
      const batch = await store.appendJournal('run', 'engine-a', [
        { type: 'step-start', stepKey: 'lookup' },
        { type: 'step-finish', stepKey: 'lookup', data: { output: ['a', 'b'], unicode: 'é✓' } },
      ]);
      expect(first[0]).toMatchObject({
        runId: 'run',
        seq: 0,
        type: 'run-start',
        stepKey: null,
        prevHash: GENESIS_HASH,
      });
      expect(batch.map((entry) => entry.seq)).toEqual([1, 2]);
      expect(batch[0]?.prevHash).toBe(first[0]?.hash);
      expect(batch[1]?.prevHash).toBe(batch[0]?.hash);
      expect(first[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
      const read = await store.readJournal('run');
      expect(read).toEqual([...first, ...batch].map((entry) => ({ ...entry, createdAt: expect.any(Number) })));
      expect(read[1]?.data).toBeNull();
      expect(read[2]?.data).toEqual({ output: ['a', 'b'], unicode: 'é✓' });
      expect(await store.verifyJournal('run')).toEqual({ ok: true, entries: 3 });
      expect(await store.appendJournal('run', 'engine-a', [])).toEqual([]);
      expect(await store.readJournal('missing')).toEqual([]);
      expect(await store.verifyJournal('missing')).toEqual({ ok: true, entries: 0 });
      await expect(store.appendJournal('missing', 'engine-a', [{ type: 'a' }])).rejects.toMatchObject({
        code: 'lease-lost',
        currentOwner: null,
      });
    });

    it('stores data holding functions as JSON does (a key left out, an array item null), readable and verified', async () => {
      const store = await openOne();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      const output = { ok: 1, f: () => 1, list: [() => 2, 3], note: 'undefined is a word' };
      const [entry] = await store.appendJournal('run', 'engine-a', [
        { type: 'step-finish', stepKey: 'a', data: { output } },
      ]);
      const expected = { output: { ok: 1, list: [null, 3], note: 'undefined is a word' } };
      expect(entry?.seq).toBe(0);
      expect((await store.readJournal('run'))[0]?.data).toEqual(expected);
      expect(await store.verifyJournal('run')).toEqual({ ok: true, entries: 1 });
    });

    it('writes a batch of hundreds of entries with awkward text at once, and reads it back exactly', async () => {
      const store = await openOne();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      await store.appendJournal('run', 'engine-a', [{ type: 'run-start' }]);
      const awkward = ['NULL', '', '"quoted"', 'back\\slash', '{a,b}', "it's", 'é✓\u0001', '   '];
      const entries = Array.from({ length: 300 }, (_, i) => ({
        type: 'step-finish',
        stepKey: i % 7 === 0 ? undefined : (awkward[i % awkward.length] as string),
        data: { output: awkward[i % awkward.length], i },
      }));
      const written = await store.appendJournal('run', 'engine-a', entries);
      expect(written.map((entry) => entry.seq)).toEqual(entries.map((_, i) => i + 1));
      const read = await store.readJournal('run');
      expect(read.slice(1).map((entry) => [entry.stepKey, entry.data])).toEqual(
        entries.map((entry) => [entry.stepKey ?? null, entry.data]),
      );
      expect(await store.verifyJournal('run')).toEqual({ ok: true, entries: 301 });
    });

    it('continues the chain when another store of the same owner wrote in between', async () => {
      const database = await context.database();
      const [first, second] = [await database.open(), await database.open()];
      await first.createRun(newRun('engine-a', { id: 'run' }));
      await first.appendJournal('run', 'engine-a', [{ type: 'a' }]);
      await second.appendJournal('run', 'engine-a', [{ type: 'b' }]);
      const third = await first.appendJournal('run', 'engine-a', [{ type: 'c' }]);
      expect(third[0]?.seq).toBe(2);
      expect((await second.readJournal('run')).map((entry) => entry.type)).toEqual(['a', 'b', 'c']);
      expect(await second.verifyJournal('run')).toEqual({ ok: true, entries: 3 });
    });

    it('finishes a run after another store of the same owner wrote to it, its last entry after theirs', async () => {
      const database = await context.database();
      const [first, second] = [await database.open(), await database.open()];
      await first.createRun(newRun('engine-a', { id: 'run' }), [{ type: 'run-start' }]);
      await second.appendJournal('run', 'engine-a', [{ type: 'step-finish', stepKey: 'a' }]);
      const finish = [{ type: 'run-finish', data: { output: 1 } }];
      expect(await first.finishRun('run', 'engine-a', { status: 'succeeded', output: 1 }, finish)).toBe(true);
      const journal = await second.readJournal('run');
      expect(journal.map((entry) => [entry.seq, entry.type])).toEqual([
        [0, 'run-start'],
        [1, 'step-finish'],
        [2, 'run-finish'],
      ]);
      expect(await second.verifyJournal('run')).toEqual({ ok: true, entries: 3 });
      expect(await second.getRun('run')).toMatchObject({ status: 'succeeded', output: 1, owner: null });
    });

    it('reads a run that just succeeded the same from the store that wrote it as from another', async () => {
      const database = await context.database();
      const [writer, reader] = [await database.open(), await database.open()];
      await writer.createRun(newRun('engine-a', { id: 'run' }), [{ type: 'run-start' }]);
      await writer.appendJournal('run', 'engine-a', [{ type: 'step-finish', stepKey: 'a', data: { output: 2 } }]);
      const finish = [{ type: 'run-finish', data: { output: { y: [1, 'é'] } } }];
      expect(await writer.finishRun('run', 'engine-a', { status: 'succeeded', output: { y: [1, 'é'] } }, finish)).toBe(
        true,
      );
      const [run, journal] = [await writer.getRun('run'), await writer.readJournal('run')];
      expect(run).toMatchObject({
        status: 'succeeded',
        output: { y: [1, 'é'] },
        owner: null,
        request: { text: 'hello' },
      });
      expect(run).toEqual(await reader.getRun('run'));
      expect(journal.map((entry) => entry.type)).toEqual(['run-start', 'step-finish', 'run-finish']);
      expect(journal).toEqual(await reader.readJournal('run'));
    });

    it('reads every entry of a run another store of the same owner wrote to, from the store that finished it', async () => {
      const database = await context.database();
      const [first, second] = [await database.open(), await database.open()];
      await first.createRun(newRun('engine-a', { id: 'run' }), [{ type: 'run-start' }]);
      await second.appendJournal('run', 'engine-a', [{ type: 'step-finish', stepKey: 'a' }]);
      expect(await first.finishRun('run', 'engine-a', { status: 'succeeded' }, [{ type: 'run-finish' }])).toBe(true);
      expect((await first.readJournal('run')).map((entry) => entry.type)).toEqual([
        'run-start',
        'step-finish',
        'run-finish',
      ]);
      await first.createRun(newRun('engine-a', { id: 'last' }), [{ type: 'run-start' }]);
      await second.appendJournal('last', 'engine-a', [{ type: 'step-finish', stepKey: 'a' }]);
      expect(await first.finishRun('last', 'engine-a', { status: 'succeeded' })).toBe(true);
      expect((await first.readJournal('last')).map((entry) => entry.type)).toEqual(['run-start', 'step-finish']);
    });

    it('starts and ends a journal with entries large enough to be stored as blobs', async () => {
      const database = await context.database();
      const store = await database.open();
      const input = { text: bigText('first') };
      const output = { text: bigText('last') };
      await store.createRun(newRun('engine-a', { id: 'run' }), [{ type: 'run-start', data: { input } }]);
      await store.appendJournal('run', 'engine-a', [{ type: 'step-finish', stepKey: 'a', data: { output: 1 } }]);
      const finish = [{ type: 'run-finish', data: { output } }];
      expect(await store.finishRun('run', 'engine-a', { status: 'succeeded', output }, finish)).toBe(true);
      expect(await database.stored.countBlobs()).toBe(2);
      expect((await store.readJournal('run')).map((entry) => entry.data)).toEqual([
        { input },
        { output: 1 },
        { output },
      ]);
      expect(await store.verifyJournal('run')).toEqual({ ok: true, entries: 3 });
      expect((await store.getRun('run'))?.output).toEqual(output);
    });

    it('writes no first entries for a run whose idempotency key is taken', async () => {
      const database = await context.database();
      const store = await database.open();
      await store.createRun(newRun('engine-a', { id: 'one', idempotencyKey: 'key' }), [{ type: 'run-start' }]);
      const duplicate = await store
        .createRun(newRun('engine-a', { id: 'two', idempotencyKey: 'key' }), [{ type: 'run-start' }])
        .catch((error) => error);
      expect(DuplicateRunError.isInstance(duplicate)).toBe(true);
      expect(await store.getRun('two')).toBeUndefined();
      expect(await store.readJournal('two')).toEqual([]);
      expect(await store.verifyJournal('one')).toEqual({ ok: true, entries: 1 });
    });

    it('finds altered data, a broken link, a missing middle entry and (once finished) a missing last entry', async () => {
      const database = await context.database();
      const store = await database.open();
      for (const id of ['altered', 'relinked', 'gap', 'truncated']) {
        await store.createRun(newRun('engine-a', { id }));
        for (let seq = 0; seq < 4; seq++)
          await store.appendJournal(id, 'engine-a', [{ type: 'step-finish', data: { seq } }]);
        await store.finishRun(id, 'engine-a', { status: 'succeeded' });
      }
      await database.stored.alterJournalEntry('altered', 2, { data: '{"seq":99}' });
      await database.stored.alterJournalEntry('relinked', 1, { prevHash: '1'.repeat(64) });
      await database.stored.deleteJournalEntry('gap', 2);
      await database.stored.deleteJournalEntry('truncated', 3);
      expect(await store.verifyJournal('altered')).toEqual({
        ok: false,
        entries: 4,
        firstBadSeq: 2,
        reason: 'hash-mismatch',
      });
      expect(await store.verifyJournal('relinked')).toEqual({
        ok: false,
        entries: 4,
        firstBadSeq: 1,
        reason: 'chain-broken',
      });
      expect(await store.verifyJournal('gap')).toEqual({
        ok: false,
        entries: 3,
        firstBadSeq: 2,
        reason: 'sequence-gap',
      });
      expect(await store.verifyJournal('truncated')).toEqual({
        ok: false,
        entries: 3,
        firstBadSeq: 3,
        reason: 'sequence-gap',
      });
    });

    it('reads back user values shaped like blob references exactly, and verifies them', async () => {
      const database = await context.database();
      const store = await database.open();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      const big = { text: bigText('real') };
      const [real] = await store.appendJournal('run', 'engine-a', [{ type: 'step-finish', data: { output: big } }]);
      const stored = await database.stored.journalData('run');
      const hash = (JSON.parse(String(stored[0])) as { output: { $blob: string } }).output.$blob;
      // The hash of a blob that exists, as a user's own data: it must not be swapped for that blob.
      const lookalikes = [{ $blob: hash }, { output: { $blob: hash }, n: 1 }, { '$baton:literal': { $blob: hash } }];
      await store.appendJournal(
        'run',
        'engine-a',
        lookalikes.map((data) => ({ type: 'step-finish', data })),
      );
      const read = await store.readJournal('run');
      expect(read.map((entry) => entry.data)).toEqual([{ output: big }, ...lookalikes]);
      expect(real?.seq).toBe(0);
      expect(await store.verifyJournal('run')).toEqual({ ok: true, entries: 4 });
    });

    it('stores a large payload once, by hash, however many runs produce it', async () => {
      const database = await context.database();
      const store = await database.open();
      const output = { text: bigText('shared') };
      const list = Array.from({ length: 8_000 }, (_, index) => `item-${index}`);
      for (const [index, id] of ['one', 'two', 'three'].entries()) {
        await store.createRun(newRun('engine-a', { id }));
        await store.appendJournal(id, 'engine-a', [
          { type: 'step-finish', stepKey: 'draft', data: { output, durationMs: index } },
          { type: 'step-input', stepKey: 'draft', data: list },
          { type: 'step-finish', stepKey: 'small', data: { output: 'short' } },
        ]);
      }
      expect(await database.stored.countBlobs()).toBe(2);
      const stored = await database.stored.journalData('two');
      const reference = { $blob: expect.stringMatching(/^[0-9a-f]{64}$/) };
      expect(JSON.parse(String(stored[0]))).toEqual({ durationMs: 1, output: reference });
      expect(JSON.parse(String(stored[1]))).toEqual(reference);
      expect(JSON.parse(String(stored[2]))).toEqual({ output: 'short' });
      const read = await store.readJournal('two');
      expect(read.map((entry) => entry.data)).toEqual([{ output, durationMs: 1 }, list, { output: 'short' }]);
      expect(await store.verifyJournal('two')).toEqual({ ok: true, entries: 3 });
      await database.stored.overwriteBlobs('{"text":"forged"}');
      expect(await store.verifyJournal('three')).toMatchObject({ ok: false, firstBadSeq: 0, reason: 'blob-mismatch' });
    });
  });

  describe('approvals', () => {
    it('creates, lists and decides an approval once, waking the run', async () => {
      const store = await openOne();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      const approval = await store.createApproval({
        id: 'approval-1',
        runId: 'run',
        stepKey: 'review',
        prompt: 'Ship it?',
        data: { diff: '+1' },
        expiresAt: null,
      });
      expect(approval).toMatchObject({ status: 'pending', decision: undefined, decidedAt: null, data: { diff: '+1' } });
      expect(await store.getApproval('approval-1')).toEqual(approval);
      await store.parkRun('run', 'engine-a', null);
      expect(await store.decideApproval('approval-1', 'approved', { note: 'lgtm' })).toBe(true);
      expect(await store.decideApproval('approval-1', 'rejected', 'too late')).toBe(false);
      expect(await store.decideApproval('missing', 'approved', null)).toBe(false);
      expect(await store.getApproval('approval-1')).toMatchObject({ status: 'approved', decision: { note: 'lgtm' } });
      expect((await store.getRun('run'))?.status).toBe('ready');
      expect(await store.listApprovals({ runId: 'run' })).toHaveLength(1);
      expect(await store.listApprovals({ status: 'pending' })).toEqual([]);
      expect(await store.listApprovals({ status: 'approved' })).toHaveLength(1);
    });

    it('creates an approval idempotently: the same id returns the first one, another run cannot take it', async () => {
      const store = await openOne();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      await store.createRun(newRun('engine-a', { id: 'other' }));
      const request = { id: 'fixed', runId: 'run', stepKey: 'review', prompt: 'Ship?', data: 1, expiresAt: 123 };
      const first = await store.createApproval(request);
      await store.decideApproval('fixed', 'expired', null);
      const again = await store.createApproval({ ...request, prompt: 'Ship now?', expiresAt: 456 });
      expect(again).toEqual({ ...first, status: 'expired', decidedAt: expect.any(Number) });
      expect(await store.listApprovals({ runId: 'run' })).toHaveLength(1);
      await expect(store.createApproval({ ...request, runId: 'other' })).rejects.toMatchObject({
        code: 'approval-duplicate',
        approvalId: 'fixed',
        existingRunId: 'run',
        existingStepKey: 'review',
      });
    });

    it('refuses a decision after the expiry with ApprovalExpiredError, marking it expired and waking the run', async () => {
      const store = await openOne();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      const expiresAt = Date.now() + 30;
      await store.createApproval({ id: 'late', runId: 'run', stepKey: 's', prompt: '?', data: null, expiresAt });
      await store.createApproval({ id: 'later', runId: 'run', stepKey: 't', prompt: '?', data: null, expiresAt });
      await store.parkRun('run', 'engine-a', expiresAt);
      await sleep(50);
      const error = await store.decideApproval('late', 'approved', { ok: true }).catch((caught) => caught);
      expect(ApprovalExpiredError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'approval-decision-expired', approvalId: 'late', expiredAt: expiresAt });
      expect(error.message).toContain(new Date(expiresAt).toISOString());
      expect(await store.getApproval('late')).toMatchObject({ status: 'expired', decision: undefined });
      expect((await store.getRun('run'))?.status).toBe('ready');
      // Once expired it stays refused, for a rejection too.
      await expect(store.decideApproval('late', 'rejected', 'no')).rejects.toMatchObject({ approvalId: 'late' });
      await expect(store.decideApproval('later', 'rejected', 'no')).rejects.toMatchObject({ approvalId: 'later' });
      expect(await store.decideApproval('later', 'expired', null)).toBe(false);
    });

    it('lets exactly one of many concurrent decisions win', async () => {
      const database = await context.database();
      const [first, second] = [await database.open(), await database.open()];
      await first.createRun(newRun('engine-a', { id: 'run' }));
      await first.createApproval({
        id: 'contested',
        runId: 'run',
        stepKey: 'review',
        prompt: '?',
        data: null,
        expiresAt: Date.now() + 1000,
      });
      const decisions = Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? first : second).decideApproval('contested', index % 3 === 0 ? 'rejected' : 'approved', {
          index,
        }),
      );
      const results = await Promise.all(decisions);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await first.getApproval('contested'))?.decision).toEqual({ index: winner });
    });
  });

  describe('failed compensations', () => {
    it('lists open entries and closes each once', async () => {
      const store = await openOne();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      const added = await store.addFailedCompensation({
        runId: 'run',
        stepKey: 'charge',
        target: 'refund',
        error: { message: 'down' },
      });
      await store.addFailedCompensation({ runId: 'run', stepKey: 'book', target: 'unbook', error: null });
      expect(added).toMatchObject({ status: 'open', reason: null, error: { message: 'down' }, target: 'refund' });
      expect(await store.listFailedCompensations({ runId: 'run', status: 'open' })).toHaveLength(2);
      expect(await store.closeFailedCompensation(added.id, 'resolved', 'refunded by hand')).toBe(true);
      expect(await store.closeFailedCompensation(added.id, 'ignored', 'again')).toBe(false);
      expect(await store.closeFailedCompensation(randomUUID(), 'ignored', 'none')).toBe(false);
      expect(await store.listFailedCompensations({ status: 'resolved' })).toMatchObject([
        { id: added.id, reason: 'refunded by hand' },
      ]);
      expect(await store.listFailedCompensations({ status: 'open' })).toHaveLength(1);
      expect(await store.listFailedCompensations()).toHaveLength(2);
    });

    it('records one entry per run and step, however often a resumed run reports it', async () => {
      const store = await openOne();
      await store.createRun(newRun('engine-a', { id: 'run' }));
      const entry = { runId: 'run', stepKey: 'charge', target: 'refund', error: { message: 'down' } };
      const first = await store.addFailedCompensation(entry);
      const again = await store.addFailedCompensation({ ...entry, error: { message: 'still down' } });
      expect(again).toEqual(first);
      expect(await store.listFailedCompensations({ runId: 'run' })).toHaveLength(1);
    });

    it('journals every close, also while an engine still holds the run', async () => {
      const database = await context.database();
      const [engine, operator] = [await database.open(), await database.open()];
      await engine.createRun(newRun('engine-a', { id: 'held' }));
      await engine.appendJournal('held', 'engine-a', [{ type: 'run-fail' }]);
      const open = await engine.addFailedCompensation({ runId: 'held', stepKey: 'a', target: 't', error: null });
      expect(await operator.closeFailedCompensation(open.id, 'ignored', 'nothing to undo')).toBe(true);
      await engine.appendJournal('held', 'engine-a', [{ type: 'compensation-finish', stepKey: 'b' }]);
      await engine.finishRun('held', 'engine-a', { status: 'failed' });
      const journal = await operator.readJournal('held');
      expect(journal.map((item) => [item.type, item.stepKey])).toEqual([
        ['run-fail', null],
        ['compensation-close', 'a'],
        ['compensation-finish', 'b'],
      ]);
      expect(journal[1]?.data).toEqual({ compensationId: open.id, status: 'ignored', reason: 'nothing to undo' });
      expect(await operator.verifyJournal('held')).toEqual({ ok: true, entries: 3 });
    });
  });

  describe('idempotency', () => {
    it('keeps a result until its TTL passes', async () => {
      const store = await openOne();
      expect(await store.getIdempotent('charge-1')).toBeUndefined();
      await store.putIdempotent('charge-1', { receipt: 'r-1' }, LONG_LEASE);
      expect(await store.getIdempotent('charge-1')).toEqual({ value: { receipt: 'r-1' } });
      expect(await store.putIdempotent('charge-1', { receipt: 'r-2' }, LONG_LEASE)).toEqual({
        value: { receipt: 'r-1' },
      });
      expect(await store.getIdempotent('charge-1')).toEqual({ value: { receipt: 'r-1' } });
      await store.putIdempotent('null-result', null, LONG_LEASE);
      expect(await store.getIdempotent('null-result')).toEqual({ value: null });
      // However slow the machine, a 1 ms TTL has passed 20 ms later: the result is gone, and a new one is kept.
      await store.putIdempotent('charge-2', { receipt: 'r-1' }, 1);
      await sleep(20);
      expect(await store.getIdempotent('charge-2')).toBeUndefined();
      expect(await store.putIdempotent('charge-2', { receipt: 'r-2' }, LONG_LEASE)).toEqual({
        value: { receipt: 'r-2' },
      });
      expect(await store.getIdempotent('charge-1')).toEqual({ value: { receipt: 'r-1' } });
    });
  });

  describe('idempotency claims', () => {
    it('gives a free key to one claimer; the others see it held until the result is stored', async () => {
      const database = await context.database();
      const [a, b] = [await database.open(), await database.open()];
      const claims = await Promise.all([
        a.claimIdempotent('k', 'engine-a', LONG_LEASE, LONG_LEASE),
        b.claimIdempotent('k', 'engine-b', LONG_LEASE, LONG_LEASE),
      ]);
      expect(claims.filter((claim) => claim.state === 'claimed')).toHaveLength(1);
      const winner = claims[0]!.state === 'claimed' ? 'engine-a' : 'engine-b';
      const other = claims.find((claim) => claim.state === 'held');
      expect(other).toMatchObject({ state: 'held', owner: winner, leaseExpiresAt: expect.any(Number) });
      expect(await a.getIdempotent('k')).toBeUndefined();
      expect(await a.claimIdempotent('k', winner, LONG_LEASE, LONG_LEASE)).toEqual({ state: 'claimed' });
      await b.putIdempotent('k', { first: true }, LONG_LEASE);
      expect(await a.putIdempotent('k', { first: false }, LONG_LEASE)).toEqual({ value: { first: true } });
      expect(await b.claimIdempotent('k', 'engine-c', LONG_LEASE, LONG_LEASE)).toEqual({
        state: 'stored',
        value: { first: true },
      });
    });

    it('lets a claim be renewed, released, or taken over once its lease lapses', async () => {
      const store = await openOne();
      expect(await store.claimIdempotent('k', 'a', 40, LONG_LEASE)).toEqual({ state: 'claimed' });
      expect(await store.renewIdempotentClaim('k', 'a', LONG_LEASE)).toBe(true);
      expect(await store.renewIdempotentClaim('k', 'b', LONG_LEASE)).toBe(false);
      expect(await store.claimIdempotent('k', 'b', 40, LONG_LEASE)).toMatchObject({ state: 'held', owner: 'a' });
      await store.releaseIdempotent('k', 'b');
      expect(await store.claimIdempotent('k', 'b', 40, LONG_LEASE)).toMatchObject({ state: 'held', owner: 'a' });
      await store.releaseIdempotent('k', 'a');
      expect(await store.claimIdempotent('k', 'b', 40, LONG_LEASE)).toEqual({ state: 'claimed' });
      await sleep(60);
      expect(await store.claimIdempotent('k', 'c', 40, LONG_LEASE)).toEqual({ state: 'claimed' });
      expect(await store.renewIdempotentClaim('k', 'b', LONG_LEASE)).toBe(false);
    });
  });

  describe('purge', () => {
    it('deletes old finished runs with everything they own, never unfinished ones', async () => {
      const database = await context.database();
      const store = await database.open();
      const orphanOutput = { text: bigText('orphan') };
      const sharedOutput = { text: bigText('shared') };
      for (const id of ['done', 'kept-running', 'kept-waiting', 'kept-compensating']) {
        await store.createRun(newRun('engine-a', { id }));
        await store.appendJournal(id, 'engine-a', [
          { type: 'step-finish', data: id === 'done' ? orphanOutput : sharedOutput },
        ]);
        await store.createApproval({
          id: `approval-${id}`,
          runId: id,
          stepKey: 's',
          prompt: '?',
          data: null,
          expiresAt: null,
        });
        await store.addFailedCompensation({ runId: id, stepKey: 's', target: 't', error: null });
      }
      const ready = await readyRun(store);
      await store.finishRun('done', 'engine-a', { status: 'succeeded' });
      await store.parkRun('kept-waiting', 'engine-a', null);
      await store.setRunStatus('kept-compensating', 'engine-a', 'compensating');
      await store.putIdempotent('expired', 1, 1);
      await store.putIdempotent('fresh', 2, LONG_LEASE);
      await sleep(10);
      expect(await store.purge(LONG_LEASE)).toEqual({ runs: 0, blobs: 0, idempotency: 1 });
      expect(await store.purge(0)).toEqual({ runs: 1, blobs: 1, idempotency: 0 });
      expect(await store.getRun('done')).toBeUndefined();
      expect(await store.readJournal('done')).toEqual([]);
      expect(await store.getApproval('approval-done')).toBeUndefined();
      expect(await store.listFailedCompensations({ runId: 'done' })).toEqual([]);
      for (const id of ['kept-running', 'kept-waiting', 'kept-compensating', ready])
        expect(await store.getRun(id)).toBeDefined();
      expect((await store.readJournal('kept-running'))[0]?.data).toEqual(sharedOutput);
      expect(await database.stored.countBlobs()).toBe(1);
      expect(await store.getIdempotent('fresh')).toEqual({ value: 2 });
    });
  });

  describe('wake-ups', () => {
    const waitTime = async (store: RunStore, timeoutMs: number, signal?: AbortSignal) => {
      const started = performance.now();
      await store.waitForWork(timeoutMs, signal);
      return performance.now() - started;
    };

    it('times out, honours an abort signal and keeps a wake-up for the next wait', async () => {
      const store = await openOne();
      await store.waitForWork(0);
      expect(await waitTime(store, 120)).toBeGreaterThanOrEqual(100);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      expect(await waitTime(store, 10_000, controller.signal)).toBeLessThan(5_000);
      await store.notifyWork();
      expect(await waitTime(store, 10_000)).toBeLessThan(1_000);
    });

    it('wakes a waiter when a run is parked until a later time, so its claim loop sleeps until then', async () => {
      const database = await context.database();
      const [waiter, parker] = [await database.open(), await database.open()];
      await waiter.waitForWork(0);
      await waiter.waitForWork(0);
      await parker.createRun(newRun('engine-a', { id: 'run' }));
      const notified = waitTime(waiter, 10_000);
      await sleep(100);
      await parker.parkRun('run', 'engine-a', Date.now() + 60_000);
      expect(await notified).toBeLessThan(5_000);
      expect(await waiter.nextClaimableAt()).toBeGreaterThan(Date.now());
    });

    it('wakes a waiter when another store notifies or decides an approval', async () => {
      const database = await context.database();
      const [waiter, notifier] = [await database.open(), await database.open()];
      await waiter.waitForWork(0);
      await waiter.waitForWork(0);
      const notified = waitTime(waiter, 10_000);
      await sleep(100);
      await notifier.notifyWork();
      expect(await notified).toBeLessThan(5_000);
      await notifier.createRun(newRun('engine-a', { id: 'run' }));
      await notifier.createApproval({ id: 'a', runId: 'run', stepKey: 's', prompt: '?', data: null, expiresAt: null });
      await notifier.parkRun('run', 'engine-a', null);
      await waiter.waitForWork(0);
      const decided = waitTime(waiter, 10_000);
      await sleep(100);
      await notifier.decideApproval('a', 'approved', null);
      expect(await decided).toBeLessThan(5_000);
      expect((await waiter.claimRuns('engine-b', LONG_LEASE, 1))[0]?.id).toBe('run');
    });
  });
}
