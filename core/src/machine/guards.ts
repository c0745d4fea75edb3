/**
 * The law and the council's rules, as one refusal function per event: `null` means the event is allowed in this
 * context. The machine uses these as its guards (so `snapshot.can(event)` and the server's check agree by
 * construction) and `explain` turns a refusal into the reason a person reads. Which *state* an event needs is the
 * machine's structure; these functions check only context.
 */
import { sittingDelegates } from '../model.ts';
import { meetsThreshold } from '../rules/index.ts';
import type { BallotChoice, EventOf, MachineEvent } from '../protocol/commands.ts';
import type { RefusalReason } from '../protocol/errors.ts';
import { commandRoles } from '../protocol/commands.ts';
import { paperworkOf, type Poll, type PollCommittee, type SessionContext } from './context.ts';
import { committeeOptions, isCommitteePoll, memberIndex } from './committee-poll.ts';

type Check<T extends MachineEvent['type']> = (ctx: SessionContext, ev: EventOf<T>) => RefusalReason | null;

export const totalDelegates = (ctx: SessionContext) => sittingDelegates(ctx.council).length;

export const delegateOf = (ctx: SessionContext, id: string) =>
  ctx.council.delegates.find((d) => d.id === id && d.status === 'sitting');

/** Present for voting and quorum: in the hall, or remote where the council has decided to allow it. */
export function isPresent(ctx: SessionContext, delegateId: string): boolean {
  const status = ctx.attendance[delegateId]?.status;
  return status === 'present' || (status === 'remote' && ctx.council.profile.remoteParticipation);
}

export function presentCounts(ctx: SessionContext) {
  let present = 0;
  let remote = 0;
  for (const d of sittingDelegates(ctx.council)) {
    const s = ctx.attendance[d.id]?.status;
    if (s === 'present') present++;
    else if (s === 'remote' && ctx.council.profile.remoteParticipation) remote++;
  }
  return { present, remote };
}

export function quorumMet(ctx: SessionContext): boolean {
  const { present, remote } = presentCounts(ctx);
  const counted = present + (ctx.council.profile.remoteCountsForQuorum ? remote : 0);
  return meetsThreshold(ctx.council.profile.quorumRule, counted, totalDelegates(ctx));
}

const quorumBlocks = (ctx: SessionContext) => ctx.council.profile.quorumEnforcement === 'block' && !quorumMet(ctx);

export const findPoll = (ctx: SessionContext, pollId: string) => ctx.polls.find((p) => p.pollId === pollId);
export const openPoll = (ctx: SessionContext) => ctx.polls.find((p) => p.status === 'open');
const official = (ctx: SessionContext, id: string) => ctx.council.officials.find((o) => o.id === id);

function roleCheck(ev: MachineEvent): RefusalReason | null {
  if (ev.type === 'floor.timeUp' || ev.type === 'poll.deadline' || ev.type === 'ballot.retract') return ev.by.role === 'system' ? null : 'NOT_SYSTEM';
  const allowed = commandRoles[ev.type];
  if (allowed.includes(ev.by.role)) return null;
  if (allowed.length === 1 && allowed[0] === 'chair') return 'NOT_CHAIR';
  if (allowed.includes('delegate') && !allowed.includes('chair')) return 'NOT_DELEGATE';
  return 'NOT_STAFF';
}

/** A delegate acting on their own behalf only; staff may act for a delegate where the role table lets them. */
function selfCheck(ctx: SessionContext, ev: MachineEvent, delegateId: string): RefusalReason | null {
  if (ev.by.role === 'delegate' && ev.by.id !== delegateId) return 'NOT_YOURSELF';
  return delegateOf(ctx, delegateId) ? null : 'UNKNOWN_DELEGATE';
}

const speechLimitReached = (ctx: SessionContext, delegateId: string) => {
  const item = ctx.currentItemId;
  const speeches = ctx.floor.log.filter(
    (s) => s.itemId === item && s.speaker.kind === 'delegate' && s.speaker.id === delegateId && (s.purpose === 'speech' || s.purpose === 'secondSpeech'),
  ).length;
  return speeches >= ctx.council.profile.maxSpeechesPerItem;
};

const idTaken = (ctx: SessionContext, speechId: string) =>
  ctx.floor.log.some((s) => s.speechId === speechId) || ctx.floor.current?.speechId === speechId;

function speakerCheck(ctx: SessionContext, speaker: EventOf<'floor.give'>['speaker']): RefusalReason | null {
  if (speaker.kind === 'delegate') return delegateOf(ctx, speaker.id) ? null : 'UNKNOWN_DELEGATE';
  if (speaker.kind === 'official') return official(ctx, speaker.id) ? null : 'UNKNOWN_OFFICIAL';
  return null;
}

/** Checks a ballot's content against the poll it is for. Shared by the machine and the server's sealing path. */
export function ballotProblem(poll: Poll, choice: BallotChoice): RefusalReason | null {
  switch (poll.kind) {
    case 'motion':
      return choice === 'yes' || choice === 'no' || choice === 'abstain' ? null : 'BAD_BALLOT';
    case 'confidenceVote': {
      if (typeof choice !== 'object' || Array.isArray(choice)) return 'BAD_BALLOT';
      return sameKeys(choice, poll.officialIds) && Object.values(choice).every((v) => v === 'confidence' || v === 'noConfidence')
        ? null
        : 'BAD_BALLOT';
    }
    case 'confidenceRating': {
      if (typeof choice !== 'object' || Array.isArray(choice)) return 'BAD_BALLOT';
      return sameKeys(choice, poll.officialIds) && Object.values(choice).every((v) => v === 'high' || v === 'confidence' || v === 'low')
        ? null
        : 'BAD_BALLOT';
    }
    case 'election': {
      if (!Array.isArray(choice)) return 'BAD_BALLOT';
      const ids = new Set(choice);
      return ids.size === choice.length && choice.length <= poll.seats && choice.every((c) => poll.candidates.some((k) => k.id === c))
        ? null
        : 'BAD_BALLOT';
    }
  }
}

function sameKeys(record: Record<string, unknown>, ids: string[]) {
  const keys = Object.keys(record);
  return keys.length === ids.length && ids.every((id) => Object.hasOwn(record, id));
}

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** Counts entered by people (hands, paper) or computed from the sealed box must be internally consistent. */
export function countsProblem(ctx: SessionContext, poll: Poll, counts: NonNullable<Poll['counts']>): RefusalReason | null {
  if (counts.kind !== poll.kind) return 'BAD_COUNTS';
  const total = poll.totalDelegates;
  switch (counts.kind) {
    case 'motion':
      return counts.yes + counts.no + counts.abstain <= total ? null : 'BAD_COUNTS';
    case 'election': {
      const ids = Object.keys(counts.votes);
      const votes = Object.values(counts.votes);
      const ok =
        counts.issued <= total &&
        counts.collected <= counts.issued &&
        counts.valid <= counts.collected &&
        sameKeys(counts.votes, poll.candidates.map((c) => c.id)) &&
        ids.length === poll.candidates.length &&
        votes.every((v) => v <= counts.valid) &&
        votes.reduce((a, b) => a + b, 0) <= counts.valid * poll.seats;
      return ok ? null : 'BAD_COUNTS';
    }
    case 'confidenceRating':
    case 'confidenceVote': {
      if (counts.issued > total || counts.collected > counts.issued) return 'BAD_COUNTS';
      // With no ballot collected there is nothing to rate against (the result would divide by zero ballots).
      if (counts.kind === 'confidenceRating' && counts.collected === 0 && ctx.council.profile.confidenceBase === 'total-ballots') return 'BAD_COUNTS';
      if (!sameKeys(counts.officials, poll.officialIds)) return 'BAD_COUNTS';
      for (const c of Object.values(counts.officials)) {
        const parts =
          counts.kind === 'confidenceRating' ? [c.high, c.confidence, c.low] : [c.confidence, c.noConfidence];
        if (!parts.every(isCount) || c.valid > counts.collected) return 'BAD_COUNTS';
        if ((parts as number[]).reduce((a, b) => a + b, 0) !== c.valid) return 'BAD_COUNTS';
      }
      return null;
    }
  }
}

const checks: { [T in MachineEvent['type']]: Check<T> } = {
  'session.openCheckIn': () => null,
  'session.start': (ctx) => (quorumBlocks(ctx) ? 'QUORUM_NOT_MET' : null),
  'session.recess': (ctx) => (openPoll(ctx) ? 'POLL_OPEN' : ctx.floor.current ? 'FLOOR_BUSY' : null),
  'session.resume': () => null,
  'session.adjourn': (ctx) => (openPoll(ctx) ? 'POLL_OPEN' : null),
  'sitting.begin': () => null,
  'sitting.setClosed': () => null,

  'attendance.checkIn': (ctx, ev) => {
    const who = selfCheck(ctx, ev, ev.delegateId);
    if (who) return who;
    if (ev.channel === 'remote' && !ctx.council.profile.remoteParticipation) return 'REMOTE_NOT_ALLOWED';
    return null;
  },
  'attendance.set': (ctx, ev) => {
    if (!delegateOf(ctx, ev.delegateId)) return 'UNKNOWN_DELEGATE';
    if (ev.status === 'remote' && !ctx.council.profile.remoteParticipation) return 'REMOTE_NOT_ALLOWED';
    return null;
  },

  'agenda.goTo': (ctx, ev) => {
    if (!ctx.agenda.some((i) => i.id === ev.itemId)) return 'UNKNOWN_ITEM';
    if (openPoll(ctx)) return 'POLL_OPEN';
    return ctx.floor.current ? 'FLOOR_BUSY' : null;
  },

  'floor.request': (ctx, ev) => {
    if (!delegateOf(ctx, ev.by.id)) return 'UNKNOWN_DELEGATE';
    if (!isPresent(ctx, ev.by.id)) return 'NOT_PRESENT';
    if (ctx.floor.queue.some((r) => r.delegateId === ev.by.id)) return 'ALREADY_QUEUED';
    if (ctx.floor.queue.some((r) => r.requestId === ev.requestId)) return 'ID_EXISTS';
    if ((ev.purpose === 'speech' || ev.purpose === 'secondSpeech') && speechLimitReached(ctx, ev.by.id)) return 'SPEECH_LIMIT';
    return null;
  },
  'floor.withdraw': (ctx, ev) => {
    const req = ctx.floor.queue.find((r) => r.requestId === ev.requestId);
    if (!req) return 'UNKNOWN_REQUEST';
    return ev.by.role === 'delegate' && req.delegateId !== ev.by.id ? 'NOT_YOURSELF' : null;
  },
  'floor.deny': (ctx, ev) => (ctx.floor.queue.some((r) => r.requestId === ev.requestId) ? null : 'UNKNOWN_REQUEST'),
  'floor.reorder': (ctx, ev) => {
    const current = ctx.floor.queue.map((r) => r.requestId);
    const proposed = new Set(ev.requestIds);
    return proposed.size === ev.requestIds.length && ev.requestIds.length === current.length && current.every((id) => proposed.has(id))
      ? null
      : 'BAD_ORDER';
  },
  'floor.grant': (ctx, ev) => {
    const req = ctx.floor.queue.find((r) => r.requestId === ev.requestId);
    if (!req) return 'UNKNOWN_REQUEST';
    if (idTaken(ctx, ev.speechId)) return 'ID_EXISTS';
    if ((req.purpose === 'speech' || req.purpose === 'secondSpeech') && speechLimitReached(ctx, req.delegateId)) return 'SPEECH_LIMIT';
    return null;
  },
  'floor.give': (ctx, ev) => (idTaken(ctx, ev.speechId) ? 'ID_EXISTS' : speakerCheck(ctx, ev.speaker)),
  'floor.extend': (ctx) => (ctx.floor.current ? null : 'NO_SPEAKER'),
  'floor.stop': (ctx) => (ctx.floor.current ? null : 'NO_SPEAKER'),
  'floor.yield': (ctx, ev) => {
    const s = ctx.floor.current;
    if (!s) return 'NO_SPEAKER';
    return s.speaker.kind === 'delegate' && s.speaker.id === ev.by.id ? null : 'NOT_YOURSELF';
  },
  'floor.timeUp': (ctx, ev) => {
    const s = ctx.floor.current;
    if (s?.speechId !== ev.speechId || s.overtime) return 'STALE_DEADLINE';
    // Armed before an extension: the speech's deadline has moved since.
    return ev.dueAt === undefined || ev.dueAt === s.startedAt + (s.limitSec + s.extendedSec) * 1000 ? null : 'STALE_DEADLINE';
  },

  'questioning.addGroup': (ctx, ev) => {
    if (ctx.questioning.groups.some((g) => g.groupId === ev.groupId)) return 'GROUP_EXISTS';
    return ev.respondentIds.every((id) => official(ctx, id)) ? null : 'UNKNOWN_OFFICIAL';
  },
  'questioning.openGroup': (ctx, ev) => {
    const g = ctx.questioning.groups.find((x) => x.groupId === ev.groupId);
    if (!g || g.status === 'done') return 'UNKNOWN_GROUP';
    return ctx.floor.current ? 'FLOOR_BUSY' : null;
  },
  'questioning.closeGroup': (ctx) => (ctx.floor.current ? 'FLOOR_BUSY' : null),
  'question.submit': (ctx, ev) => {
    if (!delegateOf(ctx, ev.by.id)) return 'UNKNOWN_DELEGATE';
    if (ctx.questioning.questions.some((q) => q.questionId === ev.questionId)) return 'QUESTION_EXISTS';
    if (!official(ctx, ev.respondentId)) return 'UNKNOWN_OFFICIAL';
    if (ev.groupId !== undefined) {
      const g = ctx.questioning.groups.find((x) => x.groupId === ev.groupId);
      if (!g || g.status === 'done') return 'UNKNOWN_GROUP';
      if (!g.respondentIds.includes(ev.respondentId)) return 'NOT_RESPONDENT';
    }
    return null;
  },
  'question.withdraw': (ctx, ev) => {
    const q = ctx.questioning.questions.find((x) => x.questionId === ev.questionId);
    if (!q) return 'UNKNOWN_QUESTION';
    if (q.delegateId !== ev.by.id) return 'NOT_YOURSELF';
    return q.status === 'queued' ? null : 'QUESTION_NOT_QUEUED';
  },
  'questioning.call': (ctx, ev) => {
    const q = ctx.questioning.questions.find((x) => x.questionId === ev.questionId);
    if (!q) return 'UNKNOWN_QUESTION';
    if (q.status !== 'queued' || !questionInActiveGroup(ctx, q)) return 'QUESTION_NOT_QUEUED';
    if (ctx.floor.current) return 'FLOOR_BUSY';
    if (idTaken(ctx, ev.speechId)) return 'ID_EXISTS';
    const waiting = awaitingAnswer(ctx).length;
    const { answerMode, questionsPerRound } = ctx.council.profile.questioning;
    return waiting >= (answerMode === 'perQuestion' ? 1 : questionsPerRound) ? 'ANSWER_PENDING' : null;
  },
  'questioning.answer': (ctx, ev) => {
    if (!activeGroup(ctx)?.respondentIds.includes(ev.respondentId)) return 'NOT_RESPONDENT';
    if (ctx.floor.current) return 'FLOOR_BUSY';
    if (idTaken(ctx, ev.speechId)) return 'ID_EXISTS';
    return awaitingAnswer(ctx).some((q) => q.respondentId === ev.respondentId) ? null : 'NOTHING_TO_ANSWER';
  },
  'questioning.debate': (ctx, ev) => {
    const q = ctx.questioning.questions.find((x) => x.questionId === ev.questionId);
    if (!q || q.status !== 'answered' || !questionInActiveGroup(ctx, q)) return 'UNKNOWN_QUESTION';
    if (ctx.floor.current) return 'FLOOR_BUSY';
    if (idTaken(ctx, ev.speechId)) return 'ID_EXISTS';
    const speakerProblem = speakerCheck(ctx, ev.speaker);
    if (speakerProblem) return speakerProblem;
    const isAsker = ev.speaker.kind === 'delegate' && ev.speaker.id === q.delegateId;
    return !q.debated && !isAsker ? 'ASKER_DEBATES_FIRST' : null;
  },
  'questioning.opening': (ctx, ev) => {
    if (!activeGroup(ctx)?.respondentIds.includes(ev.respondentId)) return 'NOT_RESPONDENT';
    if (idTaken(ctx, ev.speechId)) return 'ID_EXISTS';
    return ctx.floor.current ? 'FLOOR_BUSY' : null;
  },
  'question.markWritten': (ctx, ev) => {
    const q = ctx.questioning.questions.find((x) => x.questionId === ev.questionId);
    if (!q) return 'UNKNOWN_QUESTION';
    return q.status === 'queued' ? null : 'QUESTION_NOT_QUEUED';
  },
  'question.writtenAnswered': (ctx, ev) => {
    const q = ctx.questioning.questions.find((x) => x.questionId === ev.questionId);
    if (!q) return 'UNKNOWN_QUESTION';
    return q.status === 'writtenPending' ? null : 'QUESTION_NOT_QUEUED';
  },
  'commitment.record': (ctx, ev) => {
    if (ctx.questioning.commitments.some((c) => c.commitmentId === ev.commitmentId)) return 'ID_EXISTS';
    if (!official(ctx, ev.respondentId)) return 'UNKNOWN_OFFICIAL';
    return ev.questionId === undefined || ctx.questioning.questions.some((q) => q.questionId === ev.questionId) ? null : 'UNKNOWN_QUESTION';
  },

  'commitment.update': (ctx, ev) => {
    const c = ctx.questioning.commitments.find((x) => x.commitmentId === ev.commitmentId);
    if (!c) return 'UNKNOWN_COMMITMENT';
    return (c.updates ?? []).some((u) => u.updateId === ev.updateId) ? 'ID_EXISTS' : null;
  },
  'counting.setCommittee': (ctx, ev) => {
    if (!ev.members.every((m) => delegateOf(ctx, m.delegateId))) return 'UNKNOWN_DELEGATE';
    const ids = new Set(ev.members.map((m) => m.delegateId));
    return ids.size === ev.members.length && ev.members.filter((m) => m.role === 'head').length <= 1 ? null : 'BAD_COMMITTEE';
  },
  'minutes.approve': (ctx, ev) => {
    if (!minutesExist(ctx, ev.minutesKey)) return 'UNKNOWN_MINUTES';
    const approved = paperworkOf(ctx).approvals.filter((a) => a.minutesKey === ev.minutesKey).length;
    return ev.version === approved + 1 ? null : 'MINUTES_VERSION';
  },

  'poll.open': (ctx, ev) => {
    if (findPoll(ctx, ev.pollId)) return 'POLL_EXISTS';
    // Thresholds and percentages are taken against total delegates: a council with none has no base to count on.
    if (totalDelegates(ctx) === 0) return 'BAD_POLL';
    if (openPoll(ctx)) return 'POLL_OPEN';
    if (ev.itemId !== undefined && !ctx.agenda.some((i) => i.id === ev.itemId)) return 'UNKNOWN_ITEM';
    const setupProblem = pollSetupProblem(ctx, ev);
    if (setupProblem) return setupProblem;
    if (ev.sealing === 'committee') {
      if (ev.mode !== 'secret') return 'BAD_POLL';
      if (committeeOptions(ev).length === 0) return 'COMMITTEE_UNSUPPORTED';
      if (!paperworkOf(ctx).committee.some((m) => isPresent(ctx, m.delegateId))) return 'NO_COMMITTEE';
    }
    return quorumBlocks(ctx) ? 'QUORUM_NOT_MET' : null;
  },
  'committee.commit': (ctx, ev) => {
    const poll = findPoll(ctx, ev.pollId);
    const problem = ceremonyProblem(poll, ev.by.id);
    if (problem || !isCommitteePoll(poll)) return problem ?? 'NOT_COMMITTEE_POLL';
    const index = memberIndex(poll.committee, ev.by.id);
    if (ev.commitment.index !== index || poll.committee.commitments.some((c) => c.index === index)) return 'CEREMONY_STEP';
    return ev.commitment.commitments.length === poll.committee.threshold ? null : 'BAD_SHARES';
  },
  'committee.deal': (ctx, ev) => {
    const poll = findPoll(ctx, ev.pollId);
    const problem = ceremonyProblem(poll, ev.by.id);
    if (problem || !isCommitteePoll(poll)) return problem ?? 'NOT_COMMITTEE_POLL';
    const c = poll.committee;
    const index = memberIndex(c, ev.by.id);
    // Shares are dealt against everyone's commitments, so every member must have committed first.
    if (c.commitments.length !== c.members.length || c.dealt.includes(index)) return 'CEREMONY_STEP';
    const recipients = ev.shares.map((s) => s.to).sort((a, b) => a - b);
    const others = c.members.map((_, i) => i + 1).filter((j) => j !== index);
    const exact = ev.shares.every((s) => s.from === index) && recipients.length === others.length && recipients.every((to, i) => to === others[i]);
    return exact ? null : 'BAD_SHARES';
  },
  'committee.complain': (ctx, ev) => {
    const member = committeeMember(findPoll(ctx, ev.pollId), ev.by.id);
    if (typeof member === 'string') return member;
    const { poll, index } = member;
    const c = poll.committee;
    if (c.failed) return 'CEREMONY_FAILED';
    // A share is checked once it is dealt, and the last deal opens voting: a complaint may follow it, until the close.
    if (poll.status !== 'open' || c.phase === 'decrypting') return 'CEREMONY_STEP';
    const dealer = ev.complaint.dealer;
    if (dealer === index) return 'NOT_YOURSELF';
    return dealer <= c.members.length && c.dealt.includes(dealer) ? null : 'CEREMONY_STEP';
  },
  'committee.decrypt': (ctx, ev) => {
    const member = committeeMember(findPoll(ctx, ev.pollId), ev.by.id);
    if (typeof member === 'string') return member;
    const { poll, index } = member;
    const c = poll.committee;
    if (poll.status !== 'open' || c.phase !== 'decrypting') return 'NOT_DECRYPTING';
    if (ev.partial.member !== index) return 'NOT_YOURSELF';
    if (c.partials.some((p) => p.member === index)) return 'ALREADY_DECRYPTED';
    // The share that completes the threshold carries the server's counts; the others carry none.
    const completes = c.partials.length + 1 >= c.threshold;
    if (!completes) return ev.counts === undefined ? null : 'BAD_COUNTS';
    if (ev.counts === undefined) return 'COUNTS_REQUIRED';
    return countsProblem(ctx, poll, ev.counts) ?? (collectedOf(ev.counts) === poll.castBy.length ? null : 'BAD_COUNTS');
  },
  'ballot.cast': (ctx, ev) => {
    const poll = findPoll(ctx, ev.pollId);
    if (!poll) return 'UNKNOWN_POLL';
    if (poll.status !== 'open') return 'POLL_NOT_OPEN';
    if (poll.mode === 'hands' || poll.mode === 'paper') return 'NOT_ELECTRONIC';
    if (!delegateOf(ctx, ev.by.id)) return 'UNKNOWN_DELEGATE';
    if (!isPresent(ctx, ev.by.id)) return 'NOT_PRESENT';
    if (isCommitteePoll(poll) && poll.committee.failed) return 'CEREMONY_FAILED';
    if (isCommitteePoll(poll) && poll.committee.phase !== 'voting') return poll.committee.phase === 'ceremony' ? 'CEREMONY_PENDING' : 'POLL_NOT_OPEN';
    const already = poll.castBy.includes(ev.by.id);
    if (already && poll.mode === 'secret') return 'ALREADY_CAST';
    if (already && !ctx.council.profile.allowBallotChange) return 'CHANGE_NOT_ALLOWED';
    // A secret ballot's content never enters the machine: the server seals it and sends the event without it.
    if (poll.mode === 'secret') return ev.choice === undefined ? null : 'BAD_BALLOT';
    return ev.choice === undefined ? 'BAD_BALLOT' : ballotProblem(poll, ev.choice);
  },
  'poll.close': (ctx, ev) => closeProblem(ctx, ev.pollId, ev.counts, ev.by.role),
  'poll.deadline': (ctx, ev) => {
    const poll = findPoll(ctx, ev.pollId);
    if (!poll || poll.status !== 'open' || poll.closesAt === null) return 'STALE_DEADLINE';
    // Too few secret ballots to count: the deadline cancels the poll instead, and must carry no counts.
    if (tooFewSecretBallots(ctx, poll) || isCommitteePoll(poll)) return ev.counts === undefined ? null : 'BAD_COUNTS';
    return closeProblem(ctx, ev.pollId, ev.counts, 'chair');
  },
  'ballot.retract': (ctx, ev) => {
    const poll = findPoll(ctx, ev.pollId);
    if (!poll) return 'UNKNOWN_POLL';
    if (poll.mode !== 'secret' || poll.status !== 'open') return 'POLL_NOT_OPEN';
    return poll.castBy.includes(ev.delegateId) ? null : 'NOT_CAST';
  },
  'poll.cancel': (ctx, ev) => (findPoll(ctx, ev.pollId)?.status === 'open' ? null : 'POLL_NOT_OPEN'),
  'poll.announce': (ctx, ev) => {
    const poll = findPoll(ctx, ev.pollId);
    if (!poll) return 'UNKNOWN_POLL';
    return poll.status === 'counted' ? null : 'POLL_NOT_COUNTED';
  },
  'poll.revote': (ctx, ev) => {
    const poll = findPoll(ctx, ev.pollId);
    if (!poll) return 'UNKNOWN_POLL';
    // Only the chair, with a recorded reason (docs/rules.md): the journal's schema trims, so must the machine.
    if (ev.reason.trim() === '') return 'NEEDS_REASON';
    if (poll.status !== 'counted' && poll.status !== 'announced') return 'POLL_NOT_COUNTED';
    // Only a motion has a threshold to change; the others' outcome rules are fixed by law.
    if (ev.rule !== undefined && poll.kind !== 'motion') return 'BAD_POLL';
    // A cancelled re-vote replaced nothing: the round stands and may be voted again.
    if (ctx.polls.some((p) => p.revoteOf === poll.pollId && p.status !== 'cancelled')) return 'NOT_LATEST_ROUND';
    if (isCommitteePoll(poll) && !paperworkOf(ctx).committee.some((m) => isPresent(ctx, m.delegateId))) return 'NO_COMMITTEE';
    if (findPoll(ctx, ev.newPollId)) return 'POLL_EXISTS';
    if (openPoll(ctx)) return 'POLL_OPEN';
    return quorumBlocks(ctx) ? 'QUORUM_NOT_MET' : null;
  },

  'broadcast.start': (ctx) => (ctx.sitting.closed ? 'CLOSED_SITTING' : null),
  'broadcast.stop': () => null,
};

function closeProblem(ctx: SessionContext, pollId: string, counts: Poll['counts'] | undefined, role: string): RefusalReason | null {
  const poll = findPoll(ctx, pollId);
  if (!poll) return 'UNKNOWN_POLL';
  if (poll.status !== 'open') return 'POLL_NOT_OPEN';
  if (poll.mode === 'electronic') return counts === undefined ? (role === 'chair' ? null : 'NOT_CHAIR') : 'BAD_COUNTS';
  if (poll.mode === 'secret' && role !== 'chair') return 'NOT_CHAIR';
  if (isCommitteePoll(poll)) {
    if (poll.committee.failed) return 'CEREMONY_FAILED';
    if (poll.committee.phase === 'ceremony') return 'CEREMONY_PENDING';
    if (poll.committee.phase === 'decrypting') return 'POLL_NOT_OPEN';
  }
  if (tooFewSecretBallots(ctx, poll)) return 'TOO_FEW_BALLOTS';
  // A committee poll is counted by its committee after the close: nobody brings counts to it.
  if (isCommitteePoll(poll)) return counts === undefined ? null : 'BAD_COUNTS';
  if (counts === undefined || counts === null) return 'COUNTS_REQUIRED';
  const problem = countsProblem(ctx, poll, counts);
  if (problem) return problem;
  // The sealed box must hold exactly one ballot per eligibility record (docs/architecture.md).
  if (poll.mode === 'secret' && collectedOf(counts) !== poll.castBy.length) return 'BAD_COUNTS';
  return null;
}

/** A committee poll and the caller's number on its committee, or why not. */
function committeeMember(poll: Poll | undefined, delegateId: string): RefusalReason | { poll: Poll & { committee: PollCommittee }; index: number } {
  if (!poll) return 'UNKNOWN_POLL';
  if (!isCommitteePoll(poll)) return 'NOT_COMMITTEE_POLL';
  const index = memberIndex(poll.committee, delegateId);
  return index === 0 ? 'NOT_COMMITTEE_MEMBER' : { poll, index };
}

/** The key ceremony's common conditions: a committee poll still making its key, and a member of its committee. */
function ceremonyProblem(poll: Poll | undefined, delegateId: string): RefusalReason | null {
  const member = committeeMember(poll, delegateId);
  if (typeof member === 'string') return member;
  if (member.poll.committee.failed) return 'CEREMONY_FAILED';
  return member.poll.status === 'open' && member.poll.committee.phase === 'ceremony' ? null : 'CEREMONY_STEP';
}

/**
 * A secret e-ballot below the council's minimum (DOMAIN: a secret ballot may never be linked to a voter) can only be
 * cancelled: counted, one ballot's totals are that delegate's choice. Snapshots frozen before the profile had the
 * setting take the default.
 */
export const tooFewSecretBallots = (ctx: SessionContext, poll: Poll) =>
  poll.mode === 'secret' && poll.castBy.length < (ctx.council.profile.secretMinBallots ?? 3);

const collectedOf = (c: NonNullable<Poll['counts']>) =>
  c.kind === 'motion' ? c.yes + c.no + c.abstain : c.collected;

function pollSetupProblem(ctx: SessionContext, ev: EventOf<'poll.open'>): RefusalReason | null {
  const officials = ev.officialIds ?? [];
  switch (ev.kind) {
    case 'motion':
      return officials.length || ev.candidates?.length ? 'BAD_POLL' : null;
    case 'confidenceRating':
    case 'confidenceVote': {
      if (ev.mode !== 'secret' && ev.mode !== 'paper') return 'SECRET_NEEDS_SECRECY';
      if (ev.kind === 'confidenceRating' && ctx.council.level === 'commune' && !ctx.council.profile.communeConfidenceRating) {
        return 'CONFIDENCE_DISABLED';
      }
      if (officials.length === 0 || new Set(officials).size !== officials.length) return 'BAD_POLL';
      return officials.every((id) => official(ctx, id)) ? null : 'UNKNOWN_OFFICIAL';
    }
    case 'election': {
      const candidates = ev.candidates ?? [];
      const seats = ev.seats ?? 1;
      if (ev.mode === 'electronic' || ev.mode === 'hands') return 'BAD_POLL';
      if (candidates.length === 0 || seats > candidates.length) return 'BAD_POLL';
      return new Set(candidates.map((c) => c.id)).size === candidates.length ? null : 'BAD_POLL';
    }
  }
}

/**
 * Which minutes a session can have: the session's, one per sitting held so far, and count minutes of every secret or
 * paper ballot whose result was announced (before that its counts are shown to nobody).
 */
export function minutesExist(ctx: SessionContext, key: string): boolean {
  if (key === 'session') return true;
  const sitting = /^sitting-(\d+)$/.exec(key);
  if (sitting) return Number(sitting[1]) >= 1 && Number(sitting[1]) <= ctx.sitting.number;
  const count = /^count-(.+)$/.exec(key);
  if (!count) return false;
  const poll = findPoll(ctx, count[1]!);
  return poll !== undefined && (poll.mode === 'secret' || poll.mode === 'paper') && poll.status === 'announced';
}

export const activeGroup = (ctx: SessionContext) =>
  ctx.questioning.groups.find((g) => g.groupId === ctx.questioning.activeGroupId && g.status === 'active');

export function questionInActiveGroup(ctx: SessionContext, q: { groupId: string | null; respondentId: string }) {
  const g = activeGroup(ctx);
  if (!g) return false;
  // A question registered without a group joins whichever open group has its respondent.
  return q.groupId === g.groupId || (q.groupId === null && g.respondentIds.includes(q.respondentId));
}

/** Questions asked in the active group and not yet answered, oldest first. */
export const awaitingAnswer = (ctx: SessionContext) =>
  ctx.questioning.questions.filter((q) => q.status === 'asked' && questionInActiveGroup(ctx, q));

/** Questions waiting to be called in the active group, in registration order (the chair may depart from it). */
export const questionQueue = (ctx: SessionContext) =>
  ctx.questioning.questions.filter((q) => q.status === 'queued' && questionInActiveGroup(ctx, q));

const FORBIDDEN_REASONS: ReadonlySet<RefusalReason> = new Set(['NOT_CHAIR', 'NOT_STAFF', 'NOT_DELEGATE', 'NOT_SYSTEM', 'NOT_YOURSELF']);
export const isForbidden = (r: RefusalReason) => FORBIDDEN_REASONS.has(r);

/** The single refusal function the machine's guard calls: role first, then the event's own rule. */
export function refusal(ctx: SessionContext, ev: MachineEvent): RefusalReason | null {
  const role = roleCheck(ev);
  if (role) return role;
  const check = checks[ev.type] as Check<MachineEvent['type']>;
  return check(ctx, ev);
}

export { isCount };
