import { ORCHESTRATION_EVENT_TYPES, type OrchestrationEvent } from '@baton/protocol';
import { describe, expect, it } from 'vitest';
import { eventLine } from './event-line.js';

const AT = '2026-01-01T10:00:05.000Z';
const event = (type: string, data: unknown, stepId: string | null = 'ok'): OrchestrationEvent => ({
  type,
  orchestrationId: 'orc_1',
  stepId,
  at: AT,
  data,
});

describe('eventLine', () => {
  it.each(Object.values(ORCHESTRATION_EVENT_TYPES).flat())(
    'gives a line to %s, as every type the server sends',
    (type) => {
      const line = eventLine(event(type, { approvalId: 'apr-1', decision: 'approved', fireAt: 0, parkedAt: AT }));
      expect(line.startsWith(`${AT}  ${type}`)).toBe(true);
      expect(line).toMatch(/ {2}ok {2}\S/);
    },
  );

  it('says what a person decided on an approval, with the reason given', () => {
    expect(
      eventLine(event('approval-decision', { approvalId: 'apr-1', decision: 'rejected', reason: 'too much' })),
    ).toBe(`${AT}  approval-decision    ok  approval apr-1 rejected: "too much"`);
    expect(eventLine(event('approval-decision', { approvalId: 'apr-1', decision: 'approved' }))).toBe(
      `${AT}  approval-decision    ok  approval apr-1 approved`,
    );
    expect(eventLine(event('approval-decision', { approvalId: 'apr-1', decision: 'expired' }))).toMatch(
      /approval apr-1 expired$/,
    );
  });

  it('says what a run waits for, when it parks, and when it runs again', () => {
    expect(eventLine(event('approval-request', { approvalId: 'apr-1', expiresAt: Date.parse(AT) + 60_000 }))).toBe(
      `${AT}  approval-request     ok  waits for a person, expires 2026-01-01 10:01:05Z: baton approvals approve|reject apr-1`,
    );
    expect(eventLine(event('run-park', { wakeAt: null }, null))).toBe(
      `${AT}  run-park             -  parked: stored until a person decides or a timer fires`,
    );
    expect(eventLine(event('run-park', { wakeAt: Date.parse(AT) + 1000 }, null))).toMatch(
      /a timer fires, or at 2026-01-01 10:00:06Z$/,
    );
    expect(eventLine(event('timer-set', { fireAt: Date.parse(AT) + 3_600_000 }))).toMatch(
      /timer-set +ok {2}waits until 2026-01-01 11:00:05Z$/,
    );
    expect(eventLine(event('run-resume', { parkedAt: '2026-01-01T10:00:02.000Z' }, null))).toBe(
      `${AT}  run-resume           -  running again (parked since 2026-01-01 10:00:02Z)`,
    );
  });

  it('starts what happened in one column when given the width of the longest step id', () => {
    const lines = [event('step-finish', { attempts: 1 }, 'a'), event('run-finish', { status: 'ok' }, null)].map((e) =>
      eventLine(e, 7),
    );
    expect(lines).toEqual([
      `${AT}  step-finish          a        attempts=1`,
      `${AT}  run-finish           -        status=ok`,
    ]);
    // Nothing to say after it: no trailing spaces.
    expect(eventLine(event('run-start', {}, 'a'), 7)).toBe(`${AT}  run-start            a`);
  });

  it('shows the data of the other types as key=value, and a type it does not know the same way, not dropped', () => {
    expect(eventLine(event('step-finish', { service: 'weather@1', attempts: 1, output: { ok: 1 } }, 'a'))).toBe(
      `${AT}  step-finish          a  service=weather@1 attempts=1 output={"ok":1}`,
    );
    expect(eventLine(event('run-fail', { error: { message: 'boom' }, status: 'failed' }, null))).toBe(
      `${AT}  run-fail             -  error="boom" status=failed`,
    );
    expect(eventLine(event('something-new', { what: 'it is' }))).toBe(`${AT}  something-new        ok  what=it is`);
    expect(eventLine(event('constructor', { what: 'still data' }))).toMatch(/constructor +ok {2}what=still data$/);
  });

  it('leaves out the service of a step that calls none (an approval), but keeps an output of null', () => {
    expect(eventLine(event('step-finish', { service: null, attempts: 1, output: null }))).toBe(
      `${AT}  step-finish          ok  attempts=1 output=null`,
    );
  });
});
