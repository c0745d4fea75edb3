import { describe, expect, it } from 'vitest';
import type { PollCounts } from '../../src/protocol/commands.ts';
import { countsProblem } from '../../src/machine/guards.ts';
import { pendingDeadlines, prepareCommand, isVerdict } from '../../src/machine/engine.ts';
import { chairView } from '../../src/views/project.ts';
import { chair, choices, delegate, did, region, secretary, startedSession, system, type SessionDriver } from '../helpers.ts';

const motion = (pollId: string, extra: Record<string, unknown> = {}) =>
  ({ type: 'poll.open', pollId, subject: 'Nghị quyết về dự toán ngân sách năm 2027', kind: 'motion', mode: 'electronic', by: chair, ...extra }) as const;
const poll = (s: SessionDriver, id: string) => s.ctx().polls.find((p) => p.pollId === id)!;
const cast = (i: number, pollId: string, choice: unknown) => ({ type: 'ballot.cast', pollId, choice, by: delegate(i) }) as never;

describe('[VOTE] opening a poll', () => {
  it('[VOTE-1] the chair opens an electronic motion on the current item with the default rule, duration and base', () => {
    const s = startedSession({ present: 12 });
    const at = s.clock.now;
    s.ok(motion('p1'));
    expect(region(s, 'voting')).toBe('open');
    expect(poll(s, 'p1')).toMatchObject({
      itemId: 'i1', kind: 'motion', mode: 'electronic', rule: 'more-than-half', totalDelegates: 15, round: 1, revoteOf: null,
      openedAt: at, closesAt: at + 60_000, status: 'open', castBy: [], choices: {}, counts: null, seats: 1,
    });
    expect(pendingDeadlines(s.ctx())).toEqual([{ key: 'poll:p1', at: at + 60_000, event: { type: 'poll.deadline', pollId: 'p1' } }]);
  });

  it('[VOTE-1] an explicit item, rule and duration are kept; the special legal mode defaults to more than two thirds', () => {
    const s = startedSession({ profile: { legalMode: 'special', defaultPollSeconds: 90 } });
    const at = s.clock.now;
    s.ok(motion('p1', { itemId: 'i3', rule: 'at-least-two-thirds', durationSec: 30 }));
    expect(poll(s, 'p1')).toMatchObject({ itemId: 'i3', rule: 'at-least-two-thirds', closesAt: at + 30_000 });
    s.ok({ type: 'poll.cancel', pollId: 'p1', reason: 'Thử', by: chair });
    const at2 = s.clock.now;
    s.ok(motion('p2'));
    expect(poll(s, 'p2')).toMatchObject({ rule: 'more-than-two-thirds', closesAt: at2 + 90_000 });
  });

  it('[VOTE-2] poll.open refusals: id taken, another poll open, unknown item, bad setup', () => {
    const s = startedSession();
    s.refuse(motion('p1', { itemId: 'nope' }), 'UNKNOWN_ITEM');
    s.refuse(motion('p1', { officialIds: ['o1'] }), 'BAD_POLL');
    s.refuse(motion('p1', { candidates: [{ id: 'k1', name: 'A' }] }), 'BAD_POLL');
    s.ok(motion('p1'));
    s.refuse(motion('p2'), 'POLL_OPEN');
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.refuse(motion('p1'), 'POLL_EXISTS');
    // A counted poll must be announced (or re-voted) before the next one opens.
    s.refuse(motion('p2'), 'WRONG_STATE');
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    s.ok(motion('p2'));
  });

  it('[VOTE-2] a council with no sitting delegate has no base to vote against (BAD_POLL)', () => {
    const s = startedSession({ delegates: 3, vacant: [1, 2, 3], present: 0 });
    s.refuse(motion('p1'), 'BAD_POLL');
  });

  it('[VOTE-3] a vote without quorum is refused when the profile blocks (QUORUM_NOT_MET)', () => {
    const s = startedSession();
    for (let i = 10; i <= 15; i++) s.ok({ type: 'attendance.set', delegateId: did(i), status: 'absentExcused', by: secretary });
    s.refuse(motion('p1'), 'QUORUM_NOT_MET', 'REJECTED');
  });

  it('[VOTE-3] a vote without quorum is allowed when the profile warns', () => {
    const s = startedSession({ profile: { quorumEnforcement: 'warn' }, present: 3 });
    s.ok(motion('p1'));
    s.castAll('p1', choices({ yes: 3 }));
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    expect(poll(s, 'p1').counts).toEqual({ kind: 'motion', yes: 3, no: 0, abstain: 0 });
  });
});

describe('[VOTE] public electronic ballots', () => {
  it('[VOTE-4] present delegates cast; absent ones are refused (NOT_PRESENT)', () => {
    const s = startedSession({ present: 12 });
    s.ok(motion('p1'));
    s.ok(cast(1, 'p1', 'yes'));
    s.refuse(cast(13, 'p1', 'yes'), 'NOT_PRESENT');
    s.refuse(cast(99, 'p1', 'yes'), 'UNKNOWN_DELEGATE');
    s.refuse(cast(1, 'px', 'yes'), 'UNKNOWN_POLL');
    s.refuse({ type: 'ballot.cast', pollId: 'p1', choice: 'yes', by: chair }, 'NOT_DELEGATE', 'FORBIDDEN');
    expect(poll(s, 'p1')).toMatchObject({ castBy: ['d1'], choices: { d1: 'yes' } });
  });

  it('[VOTE-4] a ballot must fit the poll: a motion takes yes/no/abstain, and a public ballot must carry a choice', () => {
    const s = startedSession();
    s.ok(motion('p1'));
    s.refuse(cast(1, 'p1', { o1: 'high' }), 'BAD_BALLOT');
    s.refuse(cast(1, 'p1', ['k1']), 'BAD_BALLOT');
    s.refuse({ type: 'ballot.cast', pollId: 'p1', by: delegate(1) }, 'BAD_BALLOT');
  });

  it('[VOTE-5] an open ballot may be changed until the poll closes (default): one ballot, the last choice', () => {
    const s = startedSession();
    s.ok(motion('p1'));
    s.ok(cast(1, 'p1', 'yes'));
    s.ok(cast(1, 'p1', 'no'));
    expect(poll(s, 'p1')).toMatchObject({ castBy: ['d1'], choices: { d1: 'no' } });
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    expect(poll(s, 'p1').counts).toEqual({ kind: 'motion', yes: 0, no: 1, abstain: 0 });
    s.refuse(cast(1, 'p1', 'yes'), 'POLL_NOT_OPEN');
  });

  it('[VOTE-5] when the profile forbids changes, a second ballot is refused (CHANGE_NOT_ALLOWED)', () => {
    const s = startedSession({ profile: { allowBallotChange: false } });
    s.ok(motion('p1'));
    s.ok(cast(1, 'p1', 'yes'));
    s.refuse(cast(1, 'p1', 'no'), 'CHANGE_NOT_ALLOWED');
  });

  it('[VOTE-6] the chair closes: counts computed from the ballots, present delegates recorded', () => {
    const s = startedSession({ present: 14 });
    s.ok(motion('p1'));
    s.castAll('p1', choices({ yes: 9, no: 2, abstain: 1 }));
    s.refuse({ type: 'poll.close', pollId: 'p1', by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
    s.refuse({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 14, no: 0, abstain: 0 }, by: chair }, 'BAD_COUNTS');
    s.refuse({ type: 'poll.close', pollId: 'px', by: chair }, 'UNKNOWN_POLL');
    const at = s.clock.now;
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    expect(region(s, 'voting')).toBe('counted');
    expect(poll(s, 'p1')).toMatchObject({ status: 'counted', closedAt: at, presentAtClose: 14, counts: { kind: 'motion', yes: 9, no: 2, abstain: 1 } });
    s.refuse({ type: 'poll.close', pollId: 'p1', by: chair }, 'POLL_NOT_OPEN');
    expect(pendingDeadlines(s.ctx())).toEqual([]);
  });

  it('[VOTE-7] the deadline, sent by the server, closes the poll the same way; a stale deadline is refused', () => {
    const s = startedSession();
    s.ok(motion('p1', { durationSec: 20 }));
    s.castAll('p1', choices({ yes: 10 }));
    s.refuse({ type: 'poll.deadline', pollId: 'p1', counts: { kind: 'motion', yes: 1, no: 0, abstain: 0 }, by: system }, 'BAD_COUNTS');
    s.ok({ type: 'poll.deadline', pollId: 'p1', by: system });
    expect(poll(s, 'p1').counts).toEqual({ kind: 'motion', yes: 10, no: 0, abstain: 0 });
    s.refuse({ type: 'poll.deadline', pollId: 'p1', by: system }, 'STALE_DEADLINE');
    s.refuse({ type: 'poll.deadline', pollId: 'px', by: system }, 'STALE_DEADLINE');
  });

  it('[VOTE-8] the chair announces a counted poll; then the next poll may open', () => {
    const s = startedSession();
    s.ok(motion('p1'));
    s.refuse({ type: 'poll.announce', pollId: 'p1', by: chair }, 'POLL_NOT_COUNTED');
    s.refuse({ type: 'poll.announce', pollId: 'px', by: chair }, 'UNKNOWN_POLL');
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.refuse({ type: 'poll.announce', pollId: 'p1', by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
    const at = s.clock.now;
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    expect(region(s, 'voting')).toBe('announced');
    expect(poll(s, 'p1')).toMatchObject({ status: 'announced', announcedAt: at });
    s.refuse({ type: 'poll.announce', pollId: 'p1', by: chair }, 'POLL_NOT_COUNTED');
    s.ok(motion('p2'));
    expect(region(s, 'voting')).toBe('open');
  });

  it('[VOTE-9] cancel: only an open poll, with the reason kept and the choices discarded', () => {
    const s = startedSession();
    s.refuse({ type: 'poll.cancel', pollId: 'p1', reason: 'x', by: chair }, 'POLL_NOT_OPEN');
    s.ok(motion('p1'));
    s.ok(cast(1, 'p1', 'yes'));
    s.refuse({ type: 'poll.cancel', pollId: 'p1', reason: 'x', by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
    s.ok({ type: 'poll.cancel', pollId: 'p1', reason: 'Sai nội dung', by: chair });
    expect(region(s, 'voting')).toBe('idle');
    expect(poll(s, 'p1')).toMatchObject({ status: 'cancelled', cancelReason: 'Sai nội dung', choices: {}, closedAt: expect.any(Number) });
    s.refuse({ type: 'poll.cancel', pollId: 'p1', reason: 'x', by: chair }, 'POLL_NOT_OPEN');
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: 'x', by: chair }, 'POLL_NOT_COUNTED');
  });
});

describe('[VOTE] closing by the chair, and what a revote may change', () => {
  it('[VOTE-12] manualClose: no deadline is armed, even with a duration; only the chair closes it', () => {
    const s = startedSession();
    s.ok(motion('p1', { manualClose: true, durationSec: 30 }));
    expect(poll(s, 'p1').closesAt).toBeNull();
    expect(pendingDeadlines(s.ctx())).toEqual([]);
    s.refuse({ type: 'poll.deadline', pollId: 'p1', by: system }, 'STALE_DEADLINE');
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    expect(poll(s, 'p1').status).toBe('counted');
  });

  it('[VOTE-12] a revote may change the duration, the closing and a motion\'s threshold; a vote of confidence keeps its rules', () => {
    const s = startedSession();
    s.ok(motion('p1'));
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    const at = s.clock.now;
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: 'Nhiều đại biểu bấm nhầm', durationSec: 120, rule: 'at-least-two-thirds', by: chair });
    expect(poll(s, 'p2')).toMatchObject({ round: 2, revoteOf: 'p1', rule: 'at-least-two-thirds', closesAt: at + 120_000, subject: poll(s, 'p1').subject });
    s.ok({ type: 'poll.close', pollId: 'p2', by: chair });
    s.ok({ type: 'poll.revote', pollId: 'p2', newPollId: 'p3', reason: 'Lần nữa', manualClose: true, by: chair });
    expect(poll(s, 'p3')).toMatchObject({ round: 3, rule: 'at-least-two-thirds', closesAt: null });
    s.ok({ type: 'poll.cancel', pollId: 'p3', reason: 'Thử', by: chair });

    s.ok({ type: 'poll.open', pollId: 'c1', subject: 'Bỏ phiếu tín nhiệm', kind: 'confidenceVote', mode: 'paper', officialIds: ['o1'], by: chair });
    s.ok({ type: 'poll.close', pollId: 'c1', counts: { kind: 'confidenceVote', issued: 14, collected: 1, officials: { o1: { valid: 1, confidence: 1, noConfidence: 0 } } }, by: chair });
    s.refuse({ type: 'poll.revote', pollId: 'c1', newPollId: 'c2', reason: 'Phiếu lỗi', rule: 'more-than-half', by: chair }, 'BAD_POLL');
    s.ok({ type: 'poll.revote', pollId: 'c1', newPollId: 'c2', reason: 'Phiếu lỗi', by: chair });
  });
});

describe('[VOTE] show of hands and paper ballots: people enter the counts', () => {
  it('[VOTE-10] hands: no electronic ballots, counts required and consistent; the secretary may enter them', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'hands' }));
    expect(poll(s, 'p1').closesAt).toBeNull();
    expect(pendingDeadlines(s.ctx())).toEqual([]);
    s.refuse(cast(1, 'p1', 'yes'), 'NOT_ELECTRONIC');
    s.refuse({ type: 'poll.close', pollId: 'p1', by: chair }, 'COUNTS_REQUIRED');
    s.refuse({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 10, no: 4, abstain: 2 }, by: secretary }, 'BAD_COUNTS');
    s.refuse({ type: 'poll.close', pollId: 'p1', counts: { kind: 'election', issued: 1, collected: 1, valid: 1, votes: {} }, by: secretary }, 'BAD_COUNTS');
    s.refuse({ type: 'poll.deadline', pollId: 'p1', by: system }, 'STALE_DEADLINE');
    s.ok({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 10, no: 3, abstain: 2 }, by: secretary });
    expect(poll(s, 'p1').counts).toEqual({ kind: 'motion', yes: 10, no: 3, abstain: 2 });
  });

  it('[VOTE-10] a timed show of hands still needs counts at its deadline', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'hands', durationSec: 60 }));
    s.refuse({ type: 'poll.deadline', pollId: 'p1', by: system }, 'COUNTS_REQUIRED');
    s.ok({ type: 'poll.deadline', pollId: 'p1', counts: { kind: 'motion', yes: 8, no: 0, abstain: 0 }, by: system });
  });

  it('[VOTE-11] paper: the committee counts; the machine holds no ballots', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'paper' }));
    s.refuse(cast(1, 'p1', 'yes'), 'NOT_ELECTRONIC');
    s.ok({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 9, no: 1, abstain: 0 }, by: secretary });
    expect(poll(s, 'p1')).toMatchObject({ castBy: [], choices: {} });
  });
});

describe('[SECRET] secret electronic ballots (bỏ phiếu kín)', () => {
  it('[SECRET-1] prepareCommand strips the choice and returns it as sealedChoice; the journal holds only eligibility', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'secret' }));
    const prepared = prepareCommand(s.snapshot(), { sessionId: 'ky-hop-1', commandId: 'cmd-00001', type: 'ballot.cast', payload: { pollId: 'p1', choice: 'no' } }, delegate(1), s.clock.tick());
    expect(isVerdict(prepared)).toBe(false);
    expect(prepared).toEqual({ event: { type: 'ballot.cast', pollId: 'p1', at: expect.any(Number), by: delegate(1) }, sealedChoice: 'no' });
    expect(s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'no' })).toEqual({ ok: true, sealedChoice: 'no' });
    expect(s.log.at(-1)).toEqual({ type: 'ballot.cast', pollId: 'p1', at: expect.any(Number), by: delegate(1) });
    expect(poll(s, 'p1')).toMatchObject({ castBy: ['d1'], choices: {} });
    expect(JSON.stringify(s.actor.getPersistedSnapshot())).not.toMatch(/"no"/);
  });

  it('[SECRET-2] the machine refuses a secret ballot.cast that carries a choice', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'secret' }));
    s.refuse(cast(1, 'p1', 'yes'), 'BAD_BALLOT');
  });

  it('[SECRET-3] a delegate cannot cast twice in a secret ballot (ALREADY_CAST), even where open ballots may change', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'secret' }));
    expect(s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' })).toMatchObject({ ok: true });
    expect(s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'no' })).toMatchObject({ ok: false, reason: 'ALREADY_CAST' });
    s.refuse({ type: 'ballot.cast', pollId: 'p1', by: delegate(1) }, 'ALREADY_CAST');
    expect(s.box.p1).toEqual(['yes']);
  });

  it('[SECRET-4] an invalid secret ballot never reaches the box: prepareCommand checks it against the poll', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'secret' }));
    expect(s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: ['k1'] })).toMatchObject({ ok: false, code: 'REJECTED', reason: 'BAD_BALLOT' });
    expect(s.box.p1).toBeUndefined();
    expect(s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'maybe' })).toMatchObject({ ok: false, code: 'VALIDATION' });
  });

  it('[SECRET-5] closing: only the chair (or the server at the deadline), with counts whose collected equals castBy.length', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'secret' }));
    s.castAll('p1', choices({ yes: 8, no: 3, abstain: 1 }));
    expect(s.command(chair, 'poll.close', { pollId: 'p1', counts: { kind: 'motion', yes: 8, no: 3, abstain: 1 } })).toMatchObject({ ok: false, reason: 'BAD_COUNTS' });
    expect(s.command(chair, 'poll.close', { pollId: 'p1' })).toMatchObject({ ok: false, reason: 'COUNTS_REQUIRED' });
    s.refuse({ type: 'poll.close', pollId: 'p1', counts: s.secretMotionCounts('p1'), by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
    s.refuse({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 8, no: 3, abstain: 2 }, by: chair }, 'BAD_COUNTS');
    s.refuse({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 8, no: 3, abstain: 0 }, by: chair }, 'BAD_COUNTS');
    s.ok({ type: 'poll.close', pollId: 'p1', counts: s.secretMotionCounts('p1'), by: chair });
    expect(poll(s, 'p1')).toMatchObject({ status: 'counted', counts: { kind: 'motion', yes: 8, no: 3, abstain: 1 }, choices: {} });
  });

  it('[SECRET-5] the server closes a secret poll at its deadline with the counts of the box', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'secret' }));
    s.castAll('p1', choices({ yes: 5, no: 5 }));
    s.refuse({ type: 'poll.deadline', pollId: 'p1', by: system }, 'COUNTS_REQUIRED');
    s.ok({ type: 'poll.deadline', pollId: 'p1', counts: s.secretMotionCounts('p1'), by: system });
    expect(poll(s, 'p1').counts).toEqual({ kind: 'motion', yes: 5, no: 5, abstain: 0 });
  });

  it('[SECRET-6] prepareCommand leaves other commands untouched', () => {
    const s = startedSession();
    s.ok(motion('p1'));
    const cmd = { sessionId: 'ky-hop-1', commandId: 'cmd-00002', type: 'ballot.cast', payload: { pollId: 'p1', choice: 'yes' } } as const;
    expect(prepareCommand(s.snapshot(), cmd, delegate(1), 5)).toEqual({ event: { type: 'ballot.cast', pollId: 'p1', choice: 'yes', at: 5, by: delegate(1) } });
    const close = { sessionId: 'ky-hop-1', commandId: 'cmd-00003', type: 'poll.close', payload: { pollId: 'p1' } } as const;
    expect(prepareCommand(s.snapshot(), close, chair, 6)).toEqual({ event: { type: 'poll.close', pollId: 'p1', at: 6, by: chair } });
    const unknown = { sessionId: 'ky-hop-1', commandId: 'cmd-00004', type: 'ballot.cast', payload: { pollId: 'px', choice: 'yes' } } as const;
    expect(prepareCommand(s.snapshot(), unknown, delegate(1), 7)).toEqual({ event: { type: 'ballot.cast', pollId: 'px', choice: 'yes', at: 7, by: delegate(1) } });
  });
});

describe('[CONF] confidence ratings and votes of confidence (Resolution 96/2023)', () => {
  const rating = (mode: string, extra: Record<string, unknown> = {}) =>
    ({ type: 'poll.open', pollId: 'r1', subject: 'Lấy phiếu tín nhiệm', kind: 'confidenceRating', mode, officialIds: ['o1', 'o2'], by: chair, ...extra }) as never;

  it('[CONF-1] a confidence rating or vote must be secret (SECRET_NEEDS_SECRECY)', () => {
    const s = startedSession({ delegates: 50, present: 47 });
    s.refuse(rating('electronic'), 'SECRET_NEEDS_SECRECY');
    s.refuse(rating('hands'), 'SECRET_NEEDS_SECRECY');
    s.refuse({ ...(rating('electronic') as object), kind: 'confidenceVote' } as never, 'SECRET_NEEDS_SECRECY');
    s.ok(rating('secret'));
    s.ok({ type: 'poll.cancel', pollId: 'r1', reason: 'Thử', by: chair });
    s.ok(rating('paper', { pollId: 'r2' }));
  });

  it('[CONF-2] a commune council needs the profile switch (CONFIDENCE_DISABLED)', () => {
    const off = startedSession({ delegates: 25, level: 'commune' });
    off.refuse(rating('secret'), 'CONFIDENCE_DISABLED');
    const on = startedSession({ delegates: 25, level: 'commune', profile: { communeConfidenceRating: true } });
    on.ok(rating('secret'));
  });

  it('[CONF-3] the officials rated must be listed, distinct and known', () => {
    const s = startedSession({ delegates: 50 });
    s.refuse(rating('secret', { officialIds: [] }), 'BAD_POLL');
    s.refuse(rating('secret', { officialIds: undefined }), 'BAD_POLL');
    s.refuse(rating('secret', { officialIds: ['o1', 'o1'] }), 'BAD_POLL');
    s.refuse(rating('secret', { officialIds: ['o1', 'o9'] }), 'UNKNOWN_OFFICIAL');
  });

  it('[CONF-4] a rating ballot marks exactly one level for every listed official', () => {
    const s = startedSession({ delegates: 50 });
    s.ok(rating('secret'));
    const c = (choice: unknown) => s.command(delegate(1), 'ballot.cast', { pollId: 'r1', choice } as never);
    expect(c({ o1: 'high' })).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c({ o1: 'high', o2: 'noConfidence' })).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c({ o1: 'high', o2: 'low', o3: 'low' })).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c('yes')).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c(['o1'])).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c({ o1: 'high', o2: 'low' })).toEqual({ ok: true, sealedChoice: { o1: 'high', o2: 'low' } });
  });

  it('[CONF-5] a vote of confidence ballot says confidence or noConfidence for each official', () => {
    const s = startedSession({ delegates: 50 });
    s.ok({ type: 'poll.open', pollId: 'v1', subject: 'Bỏ phiếu tín nhiệm', kind: 'confidenceVote', mode: 'secret', officialIds: ['o1'], by: chair });
    const c = (i: number, choice: unknown) => s.command(delegate(i), 'ballot.cast', { pollId: 'v1', choice } as never);
    expect(c(1, { o1: 'low' })).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c(1, ['o1'])).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c(1, { o1: 'noConfidence' })).toMatchObject({ ok: true });
    expect(c(2, { o1: 'confidence' })).toMatchObject({ ok: true });
    expect(c(3, { o1: 'confidence' })).toMatchObject({ ok: true });
    const counts: PollCounts = { kind: 'confidenceVote', issued: 50, collected: 3, officials: { o1: { valid: 3, confidence: 2, noConfidence: 1 } } };
    s.refuse({ type: 'poll.close', pollId: 'v1', counts: { ...counts, collected: 4, officials: { o1: { valid: 4, confidence: 3, noConfidence: 1 } } }, by: chair }, 'BAD_COUNTS');
    s.refuse({ type: 'poll.close', pollId: 'v1', counts: { ...counts, officials: { o1: { valid: 3, confidence: 2 } } }, by: chair }, 'BAD_COUNTS');
    s.ok({ type: 'poll.close', pollId: 'v1', counts, by: chair });
  });

  it('[CONF-6] rating counts must agree: officials listed, levels summing to valid, valid ≤ collected ≤ issued ≤ total', () => {
    const s = startedSession({ delegates: 50, present: 47 });
    s.ok(rating('paper'));
    const ok = { kind: 'confidenceRating', issued: 47, collected: 47, officials: { o1: { valid: 46, high: 19, confidence: 2, low: 25 }, o2: { valid: 47, high: 40, confidence: 5, low: 2 } } } as const;
    const bad = (counts: unknown) => s.refuse({ type: 'poll.close', pollId: 'r1', counts, by: secretary } as never, 'BAD_COUNTS');
    bad({ ...ok, issued: 51 });
    bad({ ...ok, collected: 48 });
    bad({ ...ok, officials: { o1: ok.officials.o1 } });
    bad({ ...ok, officials: { ...ok.officials, o2: { valid: 48, high: 40, confidence: 6, low: 2 } } });
    bad({ ...ok, officials: { ...ok.officials, o2: { valid: 47, high: 40, confidence: 5, low: 1 } } });
    bad({ ...ok, officials: { ...ok.officials, o2: { valid: 47, confidence: 7, low: 40 } } });
    bad({ ...ok, kind: 'confidenceVote' });
    s.ok({ type: 'poll.close', pollId: 'r1', counts: ok, by: secretary });
  });

  it('[CONF-7] a rating with no ballot collected has nothing to rate against (base: total ballots)', () => {
    const none = { kind: 'confidenceRating', issued: 0, collected: 0, officials: { o1: { valid: 0, high: 0, confidence: 0, low: 0 } } } as const;
    const s = startedSession({ delegates: 50 });
    s.ok(rating('paper', { officialIds: ['o1'] }));
    s.refuse({ type: 'poll.close', pollId: 'r1', counts: none, by: secretary }, 'BAD_COUNTS');
    // Against total delegates the base is never empty.
    const t = startedSession({ delegates: 50, profile: { confidenceBase: 'total-delegates' } });
    t.ok(rating('paper', { officialIds: ['o1'] }));
    t.ok({ type: 'poll.close', pollId: 'r1', counts: none, by: secretary });
    expect(chairView(t.snapshot(), 0).poll?.result).toMatchObject({ kind: 'confidenceRating', officials: [{ baseCount: 50, consequence: 'none' }] });
  });
});

describe('[ELECT] elections', () => {
  const candidates = [
    { id: 'k1', name: 'Phạm Văn Dũng' },
    { id: 'k2', name: 'Hoàng Thị Em' },
    { id: 'k3', name: 'Vũ Văn Giang' },
  ];
  const election = (extra: Record<string, unknown> = {}) =>
    ({ type: 'poll.open', pollId: 'e1', subject: 'Bầu Ủy viên UBND', kind: 'election', mode: 'secret', candidates, seats: 2, by: chair, ...extra }) as never;

  it('[ELECT-1] election setup: secret or paper, candidates distinct, seats ≤ candidates', () => {
    const s = startedSession();
    s.refuse(election({ mode: 'electronic' }), 'BAD_POLL');
    s.refuse(election({ mode: 'hands' }), 'BAD_POLL');
    s.refuse(election({ candidates: [] }), 'BAD_POLL');
    s.refuse(election({ candidates: undefined }), 'BAD_POLL');
    s.refuse(election({ seats: 4 }), 'BAD_POLL');
    s.refuse(election({ candidates: [...candidates, { id: 'k1', name: 'Trùng' }] }), 'BAD_POLL');
    s.ok(election({ seats: undefined }));
    expect(poll(s, 'e1').seats).toBe(1);
  });

  it('[ELECT-2] a ballot keeps at most `seats` distinct, listed candidates', () => {
    const s = startedSession();
    s.ok(election());
    const c = (i: number, choice: unknown) => s.command(delegate(i), 'ballot.cast', { pollId: 'e1', choice } as never);
    expect(c(1, ['k1', 'k2', 'k3'])).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c(1, ['k1', 'k1'])).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c(1, ['k9'])).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c(1, 'yes')).toMatchObject({ reason: 'BAD_BALLOT' });
    expect(c(1, ['k1', 'k2'])).toMatchObject({ ok: true });
    expect(c(2, [])).toMatchObject({ ok: true });
  });

  it('[ELECT-3] election counts: every candidate, votes within valid ballots × seats, collected = ballots cast', () => {
    const s = startedSession();
    s.ok(election());
    for (let i = 1; i <= 12; i++) s.command(delegate(i), 'ballot.cast', { pollId: 'e1', choice: i <= 10 ? ['k1', 'k2'] : ['k3'] });
    const ok = { kind: 'election', issued: 15, collected: 12, valid: 12, votes: { k1: 10, k2: 10, k3: 2 } } as const;
    const bad = (counts: unknown) => s.refuse({ type: 'poll.close', pollId: 'e1', counts, by: chair } as never, 'BAD_COUNTS');
    bad({ ...ok, issued: 16 });
    bad({ ...ok, collected: 16 });
    bad({ ...ok, valid: 13 });
    bad({ ...ok, votes: { k1: 10, k2: 10 } });
    bad({ ...ok, votes: { k1: 10, k2: 10, k4: 2 } });
    bad({ ...ok, votes: { k1: 13, k2: 10, k3: 0 } });
    bad({ ...ok, valid: 11, votes: { k1: 11, k2: 11, k3: 1 } });
    bad({ ...ok, collected: 11, valid: 11, votes: { k1: 10, k2: 10, k3: 1 } });
    s.ok({ type: 'poll.close', pollId: 'e1', counts: ok, by: chair });
  });

  it('[ELECT-4] countsProblem rejects counts of another kind than the poll', () => {
    const s = startedSession();
    s.ok(election({ mode: 'paper' }));
    expect(countsProblem(s.ctx(), poll(s, 'e1'), { kind: 'motion', yes: 1, no: 0, abstain: 0 })).toBe('BAD_COUNTS');
  });
});

describe('[REVOTE] re-votes (biểu quyết lại)', () => {
  it('[REVOTE-1] the chair re-votes a counted poll with a reason: round 2 linked to round 1, same settings', () => {
    const s = startedSession();
    s.ok(motion('p1', { rule: 'at-least-two-thirds', itemId: 'i3' }));
    s.castAll('p1', choices({ yes: 7 }));
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: 'x', by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: '   ', by: chair }, 'NEEDS_REASON');
    s.refuse({ type: 'poll.revote', pollId: 'px', newPollId: 'p2', reason: 'x', by: chair }, 'UNKNOWN_POLL');
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p1', reason: 'x', by: chair }, 'POLL_EXISTS');
    const at = s.clock.now;
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: 'Thiết bị lỗi ở ghế 12', durationSec: 45, by: chair });
    expect(region(s, 'voting')).toBe('open');
    expect(poll(s, 'p2')).toMatchObject({
      round: 2, revoteOf: 'p1', revoteReason: 'Thiết bị lỗi ở ghế 12', subject: poll(s, 'p1').subject, kind: 'motion', mode: 'electronic',
      rule: 'at-least-two-thirds', itemId: 'i3', status: 'open', castBy: [], closesAt: at + 45_000,
    });
    expect(poll(s, 'p1').status).toBe('counted');
    s.refuse({ type: 'poll.revote', pollId: 'p2', newPollId: 'p3', reason: 'x', by: chair }, 'POLL_NOT_COUNTED');
  });

  it('[REVOTE-2] only the latest round can be re-voted; rounds count up', () => {
    const s = startedSession();
    s.ok(motion('p1'));
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: 'Kết quả sát ngưỡng', by: chair });
    s.ok({ type: 'poll.close', pollId: 'p2', by: chair });
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p3', reason: 'x', by: chair }, 'NOT_LATEST_ROUND');
    s.ok({ type: 'poll.revote', pollId: 'p2', newPollId: 'p3', reason: 'Lần ba', by: chair });
    expect(poll(s, 'p3')).toMatchObject({ round: 3, revoteOf: 'p2' });
  });

  it('[REVOTE-5] a cancelled re-vote leaves its round standing: it can still be announced, or voted again', () => {
    const s = startedSession();
    s.ok(motion('p1'));
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: 'Thiết bị lỗi', by: chair });
    s.ok({ type: 'poll.cancel', pollId: 'p2', reason: 'Nhầm', by: chair });
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p3', reason: 'Thiết bị lỗi', by: chair });
    expect(poll(s, 'p3')).toMatchObject({ round: 2, revoteOf: 'p1' });
    s.ok({ type: 'poll.cancel', pollId: 'p3', reason: 'Nhầm lần nữa', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p4', reason: 'Sát ngưỡng', by: chair });
    s.ok({ type: 'poll.cancel', pollId: 'p4', reason: 'Thôi', by: chair });
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p5', reason: 'Sát ngưỡng', by: chair });
    expect(poll(s, 'p5')).toMatchObject({ round: 2, revoteOf: 'p1', status: 'open' });
    // A round that was not cancelled replaces round 1 for good.
    s.ok({ type: 'poll.close', pollId: 'p5', by: chair });
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p6', reason: 'x', by: chair }, 'NOT_LATEST_ROUND');
  });

  it('[REVOTE-3] a re-vote needs quorum and no other open poll', () => {
    const s = startedSession();
    s.ok(motion('p1'));
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    s.ok(motion('p2'));
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p3', reason: 'x', by: chair }, 'POLL_OPEN');
    s.ok({ type: 'poll.cancel', pollId: 'p2', reason: 'x', by: chair });
    for (let i = 10; i <= 15; i++) s.ok({ type: 'attendance.set', delegateId: did(i), status: 'absentUnexcused', by: secretary });
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p3', reason: 'x', by: chair }, 'QUORUM_NOT_MET');
    // From the idle region (after a cancel) a re-vote is not where the machine takes it.
    for (let i = 10; i <= 15; i++) s.ok({ type: 'attendance.set', delegateId: did(i), status: 'present', by: secretary });
    s.refuse({ type: 'poll.revote', pollId: 'p1', newPollId: 'p3', reason: 'x', by: chair }, 'WRONG_STATE');
  });

  it('[REVOTE-4] a secret poll is re-voted as a secret poll', () => {
    const s = startedSession();
    s.ok(motion('p1', { mode: 'secret' }));
    s.castAll('p1', choices({ yes: 5 }));
    s.ok({ type: 'poll.close', pollId: 'p1', counts: s.secretMotionCounts('p1'), by: chair });
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: 'Nhiều đại biểu chưa bỏ phiếu', by: chair });
    expect(poll(s, 'p2').mode).toBe('secret');
    expect(s.command(delegate(1), 'ballot.cast', { pollId: 'p2', choice: 'no' })).toEqual({ ok: true, sealedChoice: 'no' });
  });
});
