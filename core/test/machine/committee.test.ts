/**
 * Committee polls in the pure machine (docs/committee-ballots.md): who the committee is at opening, the key ceremony
 * step by step, ballots only once the key is complete, the close that waits for decryption, and the threshold share
 * that brings the counts. The members' devices and the tablets are played with the real ballot crypto (seeded, so a
 * failure replays), and the counts a completing share carries are what the server would combine from the verified
 * shares; the machine itself only keeps the books.
 */
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  badDealers,
  checkComplaint,
  combine,
  complainAboutShare,
  committeeKey,
  dealShares,
  decodePoint,
  decryptShare,
  encryptBallot,
  finishCeremony,
  startCeremony,
  verificationKey,
  verifyPartial,
  type EncryptedBallot,
  type MemberCommitment,
  type MemberSecrets,
  type PartialDecryption,
} from '../../src/ballot-crypto/index.ts';
import { G, encodeScalar, times } from '../../src/ballot-crypto/group.ts';
import { committeeOptions, committeeShape, countsFromCommittee, isCommitteePoll, memberIndex } from '../../src/machine/committee-poll.ts';
import type { Poll, PollCommittee } from '../../src/machine/context.ts';
import { pendingDeadlines } from '../../src/machine/engine.ts';
import type { PollCounts } from '../../src/protocol/commands.ts';
import { chairView, delegateView, redactedSnapshot } from '../../src/views/project.ts';
import { chair, delegate, did, region, secretary, seeded, startedSession, system, type SessionDriver, type SessionOptions } from '../helpers.ts';

type CommitteePoll = Poll & { committee: PollCommittee };

const poll = (s: SessionDriver, id: string) => s.ctx().polls.find((p) => p.pollId === id)!;
const committeeOf = (s: SessionDriver, id: string) => {
  const p = poll(s, id);
  if (!isCommitteePoll(p)) throw new Error(`${id} is not a committee poll`);
  return p;
};

const openCommittee = (pollId: string, extra: Record<string, unknown> = {}) =>
  ({ type: 'poll.open', pollId, subject: 'Miễn nhiệm Phó Chủ tịch UBND', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true, by: chair, ...extra }) as never;
const rating = (pollId: string, extra: Record<string, unknown> = {}) =>
  openCommittee(pollId, { subject: 'Lấy phiếu tín nhiệm', kind: 'confidenceRating', officialIds: ['o1', 'o2'], ...extra });

/** A started session whose counting committee is delegates 1..members (the first one its head). */
function committeeSession(members = 3, opts: SessionOptions & { present?: number } = {}): SessionDriver {
  const s = startedSession({ present: 12, ...opts });
  s.ok({
    type: 'counting.setCommittee',
    members: Array.from({ length: members }, (_, k) => ({ delegateId: did(k + 1), role: k === 0 ? 'head' : 'member' })),
    by: chair,
  });
  return s;
}

/** The committee members' devices of one poll: each keeps its own secrets, as on a real device. */
class Devices {
  readonly started = new Map<number, { secrets: MemberSecrets; published: MemberCommitment }>();
  readonly keys = new Map<number, bigint>();
  readonly random = seeded(17);

  constructor(
    readonly s: SessionDriver,
    readonly pollId: string,
  ) {}

  get poll(): CommitteePoll {
    return committeeOf(this.s, this.pollId);
  }
  get params() {
    return { members: this.poll.committee.members.length, threshold: this.poll.committee.threshold };
  }
  /** The delegate who is member `index` of the committee. */
  actor(index: number) {
    return { role: 'delegate' as const, id: this.poll.committee.members[index - 1]! };
  }
  start(index: number) {
    const mine = startCeremony(this.poll.committee.context, this.params, index, this.random);
    this.started.set(index, mine);
    return mine;
  }
  commitEvent(index: number) {
    const mine = this.started.get(index) ?? this.start(index);
    return { type: 'committee.commit', pollId: this.pollId, commitment: mine.published, by: this.actor(index) } as const;
  }
  dealEvent(index: number) {
    const shares = dealShares(this.poll.committee.context, this.started.get(index)!.secrets, this.poll.committee.commitments, this.random);
    return { type: 'committee.deal', pollId: this.pollId, shares, by: this.actor(index) } as const;
  }
  /** Every member commits, then every member deals, in member order. */
  ceremony(): void {
    const n = this.poll.committee.members.length;
    for (let i = 1; i <= n; i++) this.s.ok(this.commitEvent(i));
    for (let i = 1; i <= n; i++) this.s.ok(this.dealEvent(i));
    for (let i = 1; i <= n; i++) {
      const c = this.poll.committee;
      this.keys.set(i, finishCeremony(c.context, this.params, this.started.get(i)!.secrets, c.commitments, c.shares));
    }
  }
}

/**
 * Opens committee poll `pollId` (with `open`, by default a motion) and plays its whole key ceremony: the poll is voting,
 * the members' devices hold their key shares, and the box of ciphertexts is empty.
 */
function votingPoll(s: SessionDriver, pollId: string, open = openCommittee(pollId)) {
  s.ok(open);
  const devices = new Devices(s, pollId);
  devices.ceremony();
  return { devices, box: [] as EncryptedBallot[] };
}

/** The tablets: encrypt each ballot to the poll's key and cast it through the client path; the box keeps the ciphertexts. */
function castEncrypted(s: SessionDriver, pollId: string, box: EncryptedBallot[], ballots: { delegate: number; choices: number[] }[], random = seeded(29)): void {
  const p = committeeOf(s, pollId);
  for (const b of ballots) {
    const ballot = encryptBallot(committeeShape(p), committeeKey(p.committee.commitments), b.choices, random);
    expect(s.command(delegate(b.delegate), 'ballot.castEncrypted', { pollId, ballot }), `ballot of ${did(b.delegate)}`).toEqual({ ok: true });
    box.push(ballot);
  }
}

function aggregatesOf(p: CommitteePoll, box: readonly EncryptedBallot[]) {
  const decoded = box.map((b) => b.questions.map((q) => q.options.map((o) => ({ a: decodePoint(o.a), b: decodePoint(o.b) }))));
  return aggregate(committeeShape(p), decoded);
}

/** A member's decryption share of the poll's aggregate, as their device computes it. */
function shareOf(devices: Devices, box: readonly EncryptedBallot[], index: number): PartialDecryption {
  const p = devices.poll;
  return decryptShare(committeeShape(p), index, devices.keys.get(index)!, aggregatesOf(p, box), devices.random);
}

/** What the server puts on the share that completes the threshold: the verified shares combined, as the poll's counts. */
function serverCounts(devices: Devices, box: readonly EncryptedBallot[], partials: readonly PartialDecryption[]): PollCounts {
  const p = devices.poll;
  const aggregates = aggregatesOf(p, box);
  const verified = new Map(partials.map((d) => [d.member, verifyPartial(committeeShape(p), p.committee.commitments, aggregates, d)]));
  return countsFromCommittee(p, combine(devices.params, aggregates, verified, box.length), p.presentAtClose);
}

/** The committee's decryption shares in a redacted snapshot (of the session's first poll). */
const partialsIn = (redacted: unknown) => (redacted as { context: { polls: CommitteePoll[] } }).context.polls[0]!.committee.partials;

const decrypt = (devices: Devices, partial: PartialDecryption, counts?: PollCounts) =>
  ({ type: 'committee.decrypt', pollId: devices.pollId, partial, ...(counts ? { counts } : {}), by: devices.actor(partial.member) }) as const;

describe('[CMTE] opening a committee poll', () => {
  it('[CMTE-1] the committee is its present members, with a majority threshold; the clock waits for the key', () => {
    const s = committeeSession(4, { profile: { defaultPollSeconds: 90 } });
    s.ok(openCommittee('c1', { manualClose: undefined }));
    expect(poll(s, 'c1')).toMatchObject({ sealing: 'committee', status: 'open', closesAt: null });
    expect(poll(s, 'c1').committee).toEqual({
      members: ['d1', 'd2', 'd3', 'd4'],
      threshold: 3,
      context: 'hall:council/ky-hop-1/c1',
      phase: 'ceremony',
      commitments: [],
      shares: [],
      dealt: [],
      durationSec: 90,
      partials: [],
    });
    expect(pendingDeadlines(s.ctx())).toEqual([]);
    s.ok({ type: 'poll.cancel', pollId: 'c1', reason: 'Thử', by: chair });

    // A member away at opening is left out: n is who is here, k their majority.
    s.ok({ type: 'attendance.set', delegateId: 'd2', status: 'absentExcused', by: secretary });
    s.ok(openCommittee('c2', { durationSec: 45, manualClose: undefined }));
    expect(poll(s, 'c2').committee).toMatchObject({ members: ['d1', 'd3', 'd4'], threshold: 2, durationSec: 45 });
    expect(memberIndex(committeeOf(s, 'c2').committee, 'd3')).toBe(2);
    expect(memberIndex(committeeOf(s, 'c2').committee, 'd2')).toBe(0);
  });

  it('[CMTE-1] refusals: no committee member present (NO_COMMITTEE), an election (COMMITTEE_UNSUPPORTED), a public poll (BAD_POLL)', () => {
    const bare = startedSession({ present: 12 });
    bare.refuse(openCommittee('c1'), 'NO_COMMITTEE');

    const s = committeeSession(2);
    s.refuse(openCommittee('c1', { mode: 'electronic' }), 'BAD_POLL');
    s.refuse(openCommittee('c1', { kind: 'election', candidates: [{ id: 'k1', name: 'Nguyễn Văn A' }] }), 'COMMITTEE_UNSUPPORTED');
    for (const id of ['d1', 'd2']) s.ok({ type: 'attendance.set', delegateId: id, status: 'absentExcused', by: secretary });
    s.refuse(openCommittee('c1'), 'NO_COMMITTEE');
    s.ok({ type: 'attendance.checkIn', delegateId: 'd2', channel: 'hall', by: delegate(2) });
    s.ok(openCommittee('c1'));
    expect(poll(s, 'c1').committee).toMatchObject({ members: ['d2'], threshold: 1 });
  });

  it('[CMTE-1] the ballot shape: one question of three options for a motion, one per official for a rating, none for an election', () => {
    const s = committeeSession(3, { level: 'province', delegates: 15 });
    s.ok(rating('r1'));
    const p = committeeOf(s, 'r1');
    expect(committeeShape(p)).toEqual({ pollContext: 'hall:council/ky-hop-1/r1', options: [3, 3] });
    expect(committeeOptions({ kind: 'confidenceVote' })).toEqual(['confidence', 'noConfidence']);
    expect(committeeOptions({ kind: 'election' })).toEqual([]);
    expect(isCommitteePoll(undefined)).toBe(false);
  });
});

describe('[CMTE] the key ceremony', () => {
  it('[CMTE-2] every member commits, then deals one share to each other member; the last deal opens voting and starts the clock', () => {
    const s = committeeSession(3);
    s.ok(openCommittee('c1', { manualClose: undefined, durationSec: 120 }));
    const devices = new Devices(s, 'c1');

    // Nobody votes, and the chair cannot close, before the key exists.
    s.refuse({ type: 'ballot.cast', pollId: 'c1', by: delegate(5) }, 'CEREMONY_PENDING');
    s.refuse({ type: 'poll.close', pollId: 'c1', by: chair }, 'CEREMONY_PENDING');
    expect(s.command(delegate(5), 'ballot.castEncrypted', { pollId: 'c1', ballot: placeholderBallot() })).toMatchObject({ ok: false, reason: 'CEREMONY_PENDING' });

    // Only members, each as themself, each once, with as many coefficients as the threshold.
    s.refuse({ ...devices.commitEvent(1), by: delegate(5) }, 'NOT_COMMITTEE_MEMBER');
    s.refuse({ ...devices.commitEvent(1), by: delegate(2) }, 'CEREMONY_STEP');
    s.refuse({ ...devices.commitEvent(1), pollId: 'nope' }, 'UNKNOWN_POLL');
    const wrongDegree = startCeremony(devices.poll.committee.context, { members: 3, threshold: 3 }, 1, devices.random).published;
    s.refuse({ ...devices.commitEvent(1), commitment: wrongDegree }, 'BAD_SHARES');
    s.ok(devices.commitEvent(1));
    s.refuse(devices.commitEvent(1), 'CEREMONY_STEP');
    s.ok(devices.commitEvent(2));
    // Shares are dealt against everyone's commitments: not before the last member has committed.
    s.refuse(devices.dealEvent(1), 'CEREMONY_STEP');
    s.ok(devices.commitEvent(3));
    expect(devices.poll.committee.commitments.map((c) => c.index)).toEqual([1, 2, 3]);

    const deal1 = devices.dealEvent(1);
    expect(deal1.shares.map((x) => [x.from, x.to])).toEqual([[1, 2], [1, 3]]);
    s.refuse({ ...deal1, shares: deal1.shares.slice(1) }, 'BAD_SHARES');
    s.refuse({ ...deal1, shares: [...deal1.shares, deal1.shares[0]!] }, 'BAD_SHARES');
    s.refuse({ ...deal1, shares: deal1.shares.map((x) => ({ ...x, from: 2 })) }, 'BAD_SHARES');
    s.refuse({ ...deal1, shares: deal1.shares.map((x) => ({ ...x, to: 1 })) }, 'BAD_SHARES');
    s.refuse({ ...deal1, by: delegate(6) }, 'NOT_COMMITTEE_MEMBER');
    s.ok(deal1);
    s.refuse(devices.dealEvent(1), 'CEREMONY_STEP');
    s.ok(devices.dealEvent(3));
    expect(devices.poll.committee).toMatchObject({ phase: 'ceremony', dealt: [1, 3] });
    expect(poll(s, 'c1').closesAt).toBeNull();
    s.refuse({ type: 'ballot.cast', pollId: 'c1', by: delegate(5) }, 'CEREMONY_PENDING');

    const at = s.clock.now;
    s.ok(devices.dealEvent(2));
    expect(devices.poll.committee).toMatchObject({ phase: 'voting', dealt: [1, 3, 2] });
    expect(devices.poll.committee.shares).toHaveLength(6);
    expect(poll(s, 'c1').closesAt).toBe(at + 120_000);
    expect(pendingDeadlines(s.ctx())).toEqual([{ key: 'poll:c1', at: at + 120_000, event: { type: 'poll.deadline', pollId: 'c1' } }]);
    // The ceremony is over: a late step is out of turn.
    s.refuse(devices.dealEvent(2), 'CEREMONY_STEP');
    s.refuse(devices.commitEvent(1), 'CEREMONY_STEP');

    // What the record holds is enough for every member's device to finish with a key share anyone can check.
    const c = devices.poll.committee;
    for (let i = 1; i <= 3; i++) {
      const key = finishCeremony(c.context, devices.params, devices.started.get(i)!.secrets, c.commitments, c.shares);
      expect(times(G, key).equals(verificationKey(c.commitments, i)), `member ${i}`).toBe(true);
    }
  });

  it('[CMTE-2] the ceremony steps belong to committee polls only (NOT_COMMITTEE_POLL)', () => {
    const s = committeeSession(3);
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'secret', manualClose: true, by: chair });
    const commitment = startCeremony('hall:council/ky-hop-1/p1', { members: 3, threshold: 2 }, 1, seeded(3)).published;
    s.refuse({ type: 'committee.commit', pollId: 'p1', commitment, by: delegate(1) }, 'NOT_COMMITTEE_POLL');
    s.refuse({ type: 'committee.deal', pollId: 'p1', shares: [], by: delegate(1) }, 'NOT_COMMITTEE_POLL');
    s.refuse({ type: 'committee.decrypt', pollId: 'p1', partial: { member: 1, shares: [] }, by: delegate(1) }, 'NOT_COMMITTEE_POLL');
    s.refuse({ type: 'committee.decrypt', pollId: 'nope', partial: { member: 1, shares: [] }, by: delegate(1) }, 'UNKNOWN_POLL');
    // Its ballots are sealed by the server: an encrypted one has no key to be checked against.
    expect(s.command(delegate(4), 'ballot.castEncrypted', { pollId: 'p1', ballot: placeholderBallot() })).toMatchObject({ ok: false, reason: 'NOT_COMMITTEE_POLL' });
    expect(chairView(s.snapshot(), 0).poll).toMatchObject({ sealing: 'server' });
    expect(chairView(s.snapshot(), 0).poll?.committee).toBeUndefined();
  });
});

describe('[CMTE] voting, the close and the committee count', () => {
  it('[CMTE-3] encrypted ballots go in as content-less casts; the close waits for decryption; the threshold share counts the motion; clients see who decrypted, the shares only once announced', () => {
    const s = committeeSession(3);
    const { devices, box } = votingPoll(s, 'c1');
    // yes 0, no 1, abstain 2: 8 yes of 15 delegates is more than half.
    const votes = [0, 0, 1, 0, 2, 0, 0, 1, 0, 0, 0];
    castEncrypted(s, 'c1', box, votes.map((o, k) => ({ delegate: k + 1, choices: [o] })));

    // The journal says who cast, never what; the readable-choice path is closed on a committee poll.
    const casts = s.log.filter((e) => e.type === 'ballot.cast');
    expect(casts).toHaveLength(11);
    for (const e of casts) expect(Object.keys(e).sort()).toEqual(['at', 'by', 'pollId', 'type']);
    expect(s.box).toEqual({});
    expect(s.command(delegate(12), 'ballot.cast', { pollId: 'c1', choice: 'yes' })).toMatchObject({ ok: false, reason: 'BAD_BALLOT' });
    s.refuse({ type: 'ballot.cast', pollId: 'c1', choice: 'yes', by: delegate(12) } as never, 'BAD_BALLOT');
    s.refuse({ type: 'ballot.cast', pollId: 'c1', by: delegate(1) }, 'ALREADY_CAST');
    s.refuse({ type: 'ballot.cast', pollId: 'c1', by: delegate(13) }, 'NOT_PRESENT');
    const view = delegateView(s.snapshot(), 0, 'd1').poll!;
    expect(view.mine).toEqual({ cast: true });
    expect(view).toMatchObject({ sealing: 'committee', castCount: 11, result: null });

    // Nobody brings counts to a committee poll, and only the chair closes it.
    s.refuse({ type: 'poll.close', pollId: 'c1', by: secretary }, 'NOT_CHAIR');
    s.refuse({ type: 'poll.close', pollId: 'c1', counts: { kind: 'motion', yes: 8, no: 2, abstain: 1 }, by: chair }, 'BAD_COUNTS');
    const closedAt = s.clock.now;
    s.ok({ type: 'poll.close', pollId: 'c1', by: chair });
    expect(poll(s, 'c1')).toMatchObject({ status: 'open', counts: null, closedAt, closesAt: null, presentAtClose: 12 });
    expect(devices.poll.committee.phase).toBe('decrypting');
    expect(region(s, 'voting')).toBe('open');
    s.refuse({ type: 'ballot.cast', pollId: 'c1', by: delegate(12) }, 'POLL_NOT_OPEN');
    s.refuse({ type: 'poll.close', pollId: 'c1', by: chair }, 'POLL_NOT_OPEN');
    expect(chairView(s.snapshot(), 0).poll?.committee?.phase).toBe('decrypting');

    const one = shareOf(devices, box, 1);
    const three = shareOf(devices, box, 3);
    const counts = serverCounts(devices, box, [one, three]);
    expect(counts).toEqual({ kind: 'motion', yes: 8, no: 2, abstain: 1 });

    s.refuse({ ...decrypt(devices, one), by: delegate(7) }, 'NOT_COMMITTEE_MEMBER');
    s.refuse({ ...decrypt(devices, one), by: delegate(2) }, 'NOT_YOURSELF');
    // Only the share that completes the threshold carries counts, and a client never sends them.
    s.refuse(decrypt(devices, one, counts), 'BAD_COUNTS');
    expect(s.command(delegate(1), 'committee.decrypt', { pollId: 'c1', partial: one, counts })).toMatchObject({ ok: false, reason: 'BAD_COUNTS' });
    s.ok(decrypt(devices, one));
    s.refuse(decrypt(devices, one), 'ALREADY_DECRYPTED');
    expect(partialsIn(redactedSnapshot(s.snapshot(), 'delegate', 'd1'))).toEqual([{ member: 1, shares: [] }]);
    expect(poll(s, 'c1')).toMatchObject({ status: 'open', counts: null });
    s.refuse({ type: 'poll.announce', pollId: 'c1', by: chair }, 'POLL_NOT_COUNTED');

    s.refuse(decrypt(devices, three), 'COUNTS_REQUIRED');
    // Counts that do not match the eligibility records (11 ballots cast) or the poll's kind are refused.
    s.refuse(decrypt(devices, three, { kind: 'motion', yes: 8, no: 2, abstain: 2 }), 'BAD_COUNTS');
    s.refuse(decrypt(devices, three, { kind: 'motion', yes: 16, no: 0, abstain: 0 }), 'BAD_COUNTS');
    s.ok(decrypt(devices, three, counts));
    expect(poll(s, 'c1')).toMatchObject({ status: 'counted', counts: { kind: 'motion', yes: 8, no: 2, abstain: 1 } });
    expect(devices.poll.committee.partials.map((p) => p.member)).toEqual([1, 3]);
    // Counted is not announced: the snapshot any client gets says who has decrypted, never the shares (they are the result).
    for (const audience of ['chair', 'secretary', 'delegate', 'public'] as const) {
      expect(partialsIn(redactedSnapshot(s.snapshot(), audience, 'd1')), audience).toEqual([{ member: 1, shares: [] }, { member: 3, shares: [] }]);
    }
    expect(region(s, 'voting')).toBe('counted');
    // Member 2 stayed away and did not block; now the poll takes no more shares.
    s.refuse(decrypt(devices, shareOf(devices, box, 2)), 'NOT_DECRYPTING');

    s.ok({ type: 'poll.announce', pollId: 'c1', by: chair });
    // From the announcement the shares are public (the bulletin board shows them too).
    expect(partialsIn(redactedSnapshot(s.snapshot(), 'public'))).toEqual(devices.poll.committee.partials);
    expect(partialsIn(redactedSnapshot(s.snapshot(), 'public'))[0]!.shares).not.toEqual([]);
    const announced = chairView(s.snapshot(), 0).poll!;
    expect(announced.result).toMatchObject({ kind: 'motion', total: 15, yes: 8, no: 2, abstain: 1, adopted: true, outcome: 'THÔNG QUA' });
    expect(announced.committee).toMatchObject({
      phase: 'done',
      threshold: 2,
      members: [
        { index: 1, delegateId: 'd1', name: 'Đại biểu 1', committed: true, dealt: true, decrypted: true },
        { index: 2, delegateId: 'd2', name: 'Đại biểu 2', committed: true, dealt: true, decrypted: false },
        { index: 3, delegateId: 'd3', name: 'Đại biểu 3', committed: true, dealt: true, decrypted: true },
      ],
    });
  });

  it('[CMTE-3] the threshold applies to the committee\'s counts as to any motion: 7 yes of 15 fail', () => {
    const s = committeeSession(1);
    const { devices, box } = votingPoll(s, 'c1');
    expect(devices.poll.committee).toMatchObject({ members: ['d1'], threshold: 1, phase: 'voting', shares: [] });
    castEncrypted(s, 'c1', box, [0, 0, 0, 0, 0, 0, 0, 1, 1, 2].map((o, k) => ({ delegate: k + 1, choices: [o] })));
    s.ok({ type: 'poll.close', pollId: 'c1', by: chair });
    const only = shareOf(devices, box, 1);
    s.ok(decrypt(devices, only, serverCounts(devices, box, [only])));
    s.ok({ type: 'poll.announce', pollId: 'c1', by: chair });
    expect(chairView(s.snapshot(), 0).poll?.result).toMatchObject({ kind: 'motion', yes: 7, no: 2, abstain: 1, adopted: false, outcome: 'KHÔNG THÔNG QUA' });
  });

  it('[CMTE-4] a confidence rating counted by the committee: one question per official, issued = present at close, the consequences as usual', () => {
    const s = committeeSession(3, { level: 'province', delegates: 15 });
    const { devices, box } = votingPoll(s, 'r1', rating('r1'));
    // high 0, confidence 1, low 2: o1 low on 7 of 10 ballots (at least two thirds), o2 high on 8.
    const o1 = [2, 2, 2, 2, 2, 2, 2, 1, 0, 1];
    const o2 = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
    castEncrypted(s, 'r1', box, o1.map((level, k) => ({ delegate: k + 1, choices: [level, o2[k]!] })));
    s.ok({ type: 'poll.close', pollId: 'r1', by: chair });
    const partials = [shareOf(devices, box, 2), shareOf(devices, box, 3)];
    const counts = serverCounts(devices, box, partials);
    expect(counts).toEqual({
      kind: 'confidenceRating',
      issued: 12,
      collected: 10,
      officials: { o1: { valid: 10, high: 1, confidence: 2, low: 7 }, o2: { valid: 10, high: 8, confidence: 1, low: 1 } },
    });
    s.ok(decrypt(devices, partials[0]!));
    s.ok(decrypt(devices, partials[1]!, counts));
    expect(poll(s, 'r1')).toMatchObject({ status: 'counted', counts });
    s.ok({ type: 'poll.announce', pollId: 'r1', by: chair });
    expect(chairView(s.snapshot(), 0).poll?.result).toMatchObject({
      kind: 'confidenceRating',
      officials: [
        { officialId: 'o1', baseCount: 10, consequence: 'dismissal-proposal' },
        { officialId: 'o2', baseCount: 10, consequence: 'none' },
      ],
    });
  });

  it('[CMTE-4] countsFromCommittee: a vote of confidence per official, and issued never below what was collected', () => {
    const s = committeeSession(3, { level: 'province', delegates: 15 });
    s.ok(openCommittee('v1', { kind: 'confidenceVote', officialIds: ['o1', 'o2'] }));
    const p = committeeOf(s, 'v1');
    const withBallots = { ...p, castBy: ['d1', 'd2', 'd3', 'd4'] };
    expect(countsFromCommittee(withBallots, [[3, 1], [0, 4]], 2)).toEqual({
      kind: 'confidenceVote',
      issued: 4,
      collected: 4,
      officials: { o1: { valid: 4, confidence: 3, noConfidence: 1 }, o2: { valid: 4, confidence: 0, noConfidence: 4 } },
    });
  });
});

describe('[CMTE] when the committee cannot count', () => {
  it('[CMTE-5] below the threshold the poll waits uncounted; it is cancelled with its reason and repeated with a new committee key', () => {
    const s = committeeSession(3);
    const { devices, box } = votingPoll(s, 'c1');
    castEncrypted(s, 'c1', box, [0, 1, 2, 0].map((o, k) => ({ delegate: k + 4, choices: [o] })));
    s.ok({ type: 'poll.close', pollId: 'c1', by: chair });
    s.ok(decrypt(devices, shareOf(devices, box, 2)));
    expect(poll(s, 'c1')).toMatchObject({ status: 'open', counts: null });
    expect(chairView(s.snapshot(), 0).poll?.committee?.members.map((m) => m.decrypted)).toEqual([false, true, false]);
    s.refuse({ type: 'poll.announce', pollId: 'c1', by: chair }, 'POLL_NOT_COUNTED');
    // Another poll cannot open while this one waits.
    s.refuse(openCommittee('c2'), 'POLL_OPEN');

    const reason = 'Không đủ thành viên Ban kiểm phiếu giải mã (1/2): bỏ phiếu lại';
    s.ok({ type: 'poll.cancel', pollId: 'c1', reason, by: chair });
    expect(poll(s, 'c1')).toMatchObject({ status: 'cancelled', cancelReason: reason, counts: null });
    s.refuse(decrypt(devices, shareOf(devices, box, 1)), 'NOT_DECRYPTING');

    s.ok(openCommittee('c2', { subject: 'Miễn nhiệm Phó Chủ tịch UBND (lần 2)' }));
    const again = committeeOf(s, 'c2').committee;
    expect(again).toMatchObject({ members: ['d1', 'd2', 'd3'], threshold: 2, phase: 'ceremony', commitments: [], partials: [] });
    expect(again.context).not.toBe(devices.poll.committee.context);
  });

  it('[CMTE-5] a committee poll closed by its deadline waits for decryption; with too few ballots the deadline cancels it', () => {
    const s = committeeSession(3);
    votingPoll(s, 'c1', openCommittee('c1', { manualClose: undefined }));
    castEncrypted(s, 'c1', [], [0, 0, 1].map((o, k) => ({ delegate: k + 4, choices: [o] })));
    s.refuse({ type: 'poll.deadline', pollId: 'c1', counts: { kind: 'motion', yes: 2, no: 1, abstain: 0 }, by: system }, 'BAD_COUNTS');
    s.ok({ type: 'poll.deadline', pollId: 'c1', by: system });
    expect(poll(s, 'c1')).toMatchObject({ status: 'open', closesAt: null, committee: { phase: 'decrypting' } });
    expect(pendingDeadlines(s.ctx())).toEqual([]);
    s.refuse({ type: 'poll.deadline', pollId: 'c1', by: system }, 'STALE_DEADLINE');
    s.ok({ type: 'poll.cancel', pollId: 'c1', reason: 'Thử', by: chair });

    votingPoll(s, 'c2', openCommittee('c2', { manualClose: undefined }));
    castEncrypted(s, 'c2', [], [{ delegate: 4, choices: [0] }]);
    s.refuse({ type: 'poll.close', pollId: 'c2', by: chair }, 'TOO_FEW_BALLOTS');
    s.ok({ type: 'poll.deadline', pollId: 'c2', by: system });
    expect(poll(s, 'c2')).toMatchObject({ status: 'cancelled', counts: null });
    expect(region(s, 'voting')).toBe('idle');
  });

  it('[CMTE-5] a re-vote of a committee poll is a committee poll with a fresh ceremony, and needs a committee member present', () => {
    const s = committeeSession(1);
    const { devices, box } = votingPoll(s, 'c1');
    castEncrypted(s, 'c1', box, [0, 1, 1].map((o, k) => ({ delegate: k + 4, choices: [o] })));
    s.ok({ type: 'poll.close', pollId: 'c1', by: chair });
    const only = shareOf(devices, box, 1);
    s.ok(decrypt(devices, only, serverCounts(devices, box, [only])));

    s.ok({ type: 'attendance.set', delegateId: 'd1', status: 'absentExcused', by: secretary });
    s.refuse({ type: 'poll.revote', pollId: 'c1', newPollId: 'c1b', reason: 'Kết quả sát nút', by: chair }, 'NO_COMMITTEE');
    s.ok({ type: 'attendance.checkIn', delegateId: 'd1', channel: 'hall', by: delegate(1) });
    s.ok({ type: 'poll.revote', pollId: 'c1', newPollId: 'c1b', reason: 'Kết quả sát nút', by: chair });
    expect(poll(s, 'c1b')).toMatchObject({ round: 2, revoteOf: 'c1', sealing: 'committee', status: 'open' });
    expect(committeeOf(s, 'c1b').committee).toMatchObject({ members: ['d1'], threshold: 1, phase: 'ceremony', context: 'hall:council/ky-hop-1/c1b' });
  });
});

/** A well-formed ballot that is never checked: the refusals above come before any proof would be. */
function placeholderBallot(): EncryptedBallot {
  const h = '0'.repeat(64);
  const option = { a: h, b: h, proof: { c0: h, c1: h, s0: h, s1: h } };
  return { questions: [{ options: [option, option, option], sumProof: { c: h, s: h } }] };
}

describe('[CMTE] a member\'s complaint about a dealt share', () => {
  it('[CMTE-6] a complaint fails the ceremony naming the dealer: no ballots, no close, the clock stops; the chair cancels and reopens without them', () => {
    const s = committeeSession(3);
    s.ok(openCommittee('c1', { manualClose: undefined, durationSec: 120 }));
    const devices = new Devices(s, 'c1');
    for (let i = 1; i <= 3; i++) s.ok(devices.commitEvent(i));
    // Dealer 2 seals member 3 a share that is not of the polynomial it committed to.
    const deal2 = devices.dealEvent(2);
    const cheating = { ...deal2, shares: deal2.shares.map((x) => (x.to === 3 ? { ...x, masked: encodeScalar(BigInt(`0x${x.masked}`) + 1n) } : x)) };
    s.ok(devices.dealEvent(1));
    const c0 = devices.poll.committee;
    const mine = (from: number) => c0.shares.find((x) => x.from === from && x.to === 3)!;
    const early = complainAboutShare(c0.context, devices.started.get(3)!.secrets, mine(1), devices.random);
    // Only about a share already dealt, never about oneself, only by a member.
    s.refuse({ type: 'committee.complain', pollId: 'c1', complaint: { ...early, dealer: 2 }, by: devices.actor(3) }, 'CEREMONY_STEP');
    s.refuse({ type: 'committee.complain', pollId: 'c1', complaint: { ...early, dealer: 3 }, by: devices.actor(3) }, 'NOT_YOURSELF');
    s.refuse({ type: 'committee.complain', pollId: 'c1', complaint: early, by: delegate(7) }, 'NOT_COMMITTEE_MEMBER');
    s.refuse({ type: 'committee.complain', pollId: 'nope', complaint: early, by: devices.actor(3) }, 'UNKNOWN_POLL');
    s.ok(cheating);
    s.ok(devices.dealEvent(3));
    expect(poll(s, 'c1').closesAt).not.toBeNull();

    // Member 3's device finds the bad share, names its dealer, and proves it from public data (as the server does).
    const c = devices.poll.committee;
    const secrets3 = devices.started.get(3)!.secrets;
    expect(badDealers(c.context, secrets3, c.commitments, c.shares)).toEqual([2]);
    const complaint = complainAboutShare(c.context, secrets3, c.shares.find((x) => x.from === 2 && x.to === 3)!, devices.random);
    expect(() => checkComplaint(c.context, c.commitments, c.shares, 3, complaint)).not.toThrow();
    s.ok({ type: 'committee.complain', pollId: 'c1', complaint, by: devices.actor(3) });
    expect(devices.poll.committee.failed).toEqual({ dealer: 2, dealerId: did(2), by: did(3) });
    expect(poll(s, 'c1')).toMatchObject({ status: 'open', closesAt: null });
    expect(pendingDeadlines(s.ctx())).toEqual([]);
    expect(chairView(s.snapshot(), 0).poll?.committee).toMatchObject({ phase: 'voting', failed: { dealer: 2, dealerId: did(2), by: did(3) } });
    expect(chairView(s.snapshot(), 0).poll?.committee?.failed?.dealerName).toBeTruthy();

    // The key is unusable: no ballot, no close, no second complaint, no late ceremony step.
    s.refuse({ type: 'ballot.cast', pollId: 'c1', by: delegate(5) }, 'CEREMONY_FAILED');
    expect(s.command(delegate(5), 'ballot.castEncrypted', { pollId: 'c1', ballot: placeholderBallot() })).toMatchObject({ ok: false, reason: 'CEREMONY_FAILED' });
    s.refuse({ type: 'poll.close', pollId: 'c1', by: chair }, 'CEREMONY_FAILED');
    s.refuse({ type: 'committee.complain', pollId: 'c1', complaint, by: devices.actor(3) }, 'CEREMONY_FAILED');
    s.refuse(devices.commitEvent(1), 'CEREMONY_FAILED');

    // The chair cancels with the reason; the repeat's committee is those present, so the dealer is left out.
    const reason = `Thành viên ${did(2)} chia mảnh khóa sai: tạo khóa lại`;
    s.ok({ type: 'poll.cancel', pollId: 'c1', reason, by: chair });
    expect(poll(s, 'c1')).toMatchObject({ status: 'cancelled', cancelReason: reason });
    s.ok({ type: 'attendance.set', delegateId: did(2), status: 'absentExcused', by: chair } as never);
    s.ok(openCommittee('c2'));
    expect(committeeOf(s, 'c2').committee).toMatchObject({ members: [did(1), did(3)], phase: 'ceremony' });
    expect(committeeOf(s, 'c2').committee.failed).toBeUndefined();
  });

  it('[CMTE-6] a complaint is heard until the close (the last deal opens voting), not after; only on committee polls', () => {
    const s = committeeSession(3);
    s.ok(openCommittee('c1'));
    const devices = new Devices(s, 'c1');
    devices.ceremony();
    const c = devices.poll.committee;
    const complaint = complainAboutShare(c.context, devices.started.get(1)!.secrets, c.shares.find((x) => x.from === 2 && x.to === 1)!, devices.random);
    castEncrypted(s, 'c1', [], [0, 1, 2].map((o, k) => ({ delegate: k + 4, choices: [o] })));
    s.ok({ type: 'poll.close', pollId: 'c1', by: chair });
    s.refuse({ type: 'committee.complain', pollId: 'c1', complaint, by: devices.actor(1) }, 'CEREMONY_STEP');
    s.ok({ type: 'poll.cancel', pollId: 'c1', reason: 'Thử', by: chair });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'secret', manualClose: true, by: chair });
    s.refuse({ type: 'committee.complain', pollId: 'p1', complaint, by: delegate(1) }, 'NOT_COMMITTEE_POLL');
  });
});
