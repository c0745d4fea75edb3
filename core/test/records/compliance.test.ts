/** [COMP] Compliance checks for the province's oversight, derived from a session's journal (records/compliance.ts). */
import { describe, expect, it } from 'vitest';
import { chair, choices, makeSession, type SessionDriver } from '../helpers.ts';
import { scriptedSession, TODAY_AFTER_DEADLINE, TODAY_BEFORE_DEADLINE } from './scripted.ts';
import { deriveSessionRecord } from '../../src/records/derive.ts';
import { complianceOf } from '../../src/records/compliance.ts';
import { glanceOf } from '../../src/views/glance.ts';
import { project } from '../../src/views/project.ts';

const modelOf = (s: SessionDriver) => deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
const statuses = (c: ReturnType<typeof complianceOf>) => Object.fromEntries(c.checks.map((x) => [x.id, x.status]));

describe('[COMP] compliance of a session', () => {
  it('[COMP-1] the scripted session: votes in order, minutes not approved after the adjournment, a commitment overdue only after its deadline', () => {
    const { s } = scriptedSession();
    const late = complianceOf(modelOf(s), 'at-least-two-thirds', TODAY_AFTER_DEADLINE);
    expect(statuses(late)).toEqual({ quorum: 'ok', thresholds: 'ok', secretAnnounced: 'ok', minutesApproved: 'fail', commitmentsOnTime: 'fail' });
    expect(late.overall).toBe('fail');
    // Core says why with a code; the words are the app's, in the reader's language.
    expect(late.checks.find((c) => c.id === 'minutesApproved')).toEqual({ id: 'minutesApproved', status: 'fail', items: [], note: 'minutesNotApproved' });
    expect(late.checks.find((c) => c.id === 'commitmentsOnTime')!.items).toEqual(['Hoàn thành giải phóng mặt bằng dự án đường tỉnh 295']);
    const early = complianceOf(modelOf(s), 'at-least-two-thirds', TODAY_BEFORE_DEADLINE);
    expect(statuses(early).commitmentsOnTime).toBe('ok');
  });

  it('[COMP-2] before the adjournment the minutes are pending, not failed', () => {
    const { s } = scriptedSession({ adjourn: false });
    const early = complianceOf(modelOf(s), 'at-least-two-thirds', TODAY_BEFORE_DEADLINE);
    expect(statuses(early)).toMatchObject({ minutesApproved: 'pending' });
    expect(early.checks.find((c) => c.id === 'minutesApproved')).toEqual({ id: 'minutesApproved', status: 'pending', items: [], note: 'notAdjourned' });
  });

  it('[COMP-3] a vote taken without quorum (a council that only warns) fails the quorum check by name; a secret poll counted but never announced fails once adjourned', () => {
    const s = makeSession({ delegates: 15, profile: { quorumEnforcement: 'warn' } });
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.checkInAll(8);
    s.ok({ type: 'session.start', by: chair });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Biểu quyết khi thiếu đại biểu', kind: 'motion', mode: 'electronic', by: chair });
    s.castAll('p1', choices({ yes: 6, no: 2 }));
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.open', pollId: 'p2', subject: 'Phiếu kín chưa công bố', kind: 'motion', mode: 'secret', by: chair });
    s.castAll('p2', choices({ yes: 5, no: 3 }));
    s.ok({ type: 'poll.close', pollId: 'p2', counts: s.secretMotionCounts('p2'), by: chair });
    const open = complianceOf(modelOf(s), 'at-least-two-thirds', TODAY_BEFORE_DEADLINE);
    expect(open.checks.find((c) => c.id === 'quorum')).toEqual({ id: 'quorum', status: 'fail', items: ['Biểu quyết khi thiếu đại biểu', 'Phiếu kín chưa công bố'] });
    expect(statuses(open).secretAnnounced).toBe('pending');
    // The same journal read against a lower quorum rule passes: the rule, not the numbers, decides.
    expect(statuses(complianceOf(modelOf(s), 'more-than-half', TODAY_BEFORE_DEADLINE)).quorum).toBe('ok');
    s.ok({ type: 'session.adjourn', by: chair });
    const closed = complianceOf(modelOf(s), 'at-least-two-thirds', TODAY_BEFORE_DEADLINE);
    expect(closed.checks.find((c) => c.id === 'secretAnnounced')).toEqual({ id: 'secretAnnounced', status: 'fail', items: ['Phiếu kín chưa công bố'] });
  });

  it('[COMP-4] a glance says the phase, attendance against quorum, the item and the poll in progress — never its counts', () => {
    const s = makeSession({ delegates: 15 });
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.checkInAll(11);
    s.ok({ type: 'session.start', by: chair });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Thông qua chương trình', kind: 'motion', mode: 'electronic', by: chair });
    s.castAll('p1', choices({ yes: 4 }));
    const glance = glanceOf(project(s.snapshot(), s.log.length, 'wall'));
    expect(glance).toMatchObject({ phase: 'inProgress', present: 11, total: 15, required: 10, quorumMet: true, poll: { subject: 'Thông qua chương trình', kind: 'motion', mode: 'electronic' } });
    expect(JSON.stringify(glance)).not.toMatch(/yes|castCount/);
  });
});
