/**
 * How each accepted event changes the context: a pure function, called only after the event's guard allowed it.
 * Updates are by copy (never in place) so XState snapshots and replays stay independent of each other.
 */
import type { FloorPurpose, MachineEvent, EventOf, PollCounts, SpeakerRef } from '../protocol/commands.ts';
import type { RulesProfile } from '../model.ts';
import { paperworkOf, type Poll, type PollCommittee, type SessionContext, type Speech } from './context.ts';
import { committeeAtOpen, isCommitteePoll, memberIndex } from './committee-poll.ts';
import { awaitingAnswer, findPoll, isPresent, tooFewSecretBallots, totalDelegates } from './guards.ts';

/** Why a secret poll that reached its deadline with fewer ballots than the council's minimum was cancelled. */
export const TOO_FEW_AT_DEADLINE = 'Hết thời gian bỏ phiếu với số phiếu dưới mức tối thiểu để giữ bí mật; cuộc bỏ phiếu bị hủy, không kiểm phiếu';

const DAY_MS = 86_400_000;

export function defaultLimit(profile: RulesProfile, purpose: FloorPurpose, inQuestioning: boolean): number {
  switch (purpose) {
    case 'question':
      return profile.questioning.questionSec;
    case 'answer':
      return profile.questioning.answerSec;
    case 'opening':
      return profile.questioning.openingSec;
    case 'debate':
      return inQuestioning ? profile.questioning.debateSec : profile.speechLimits.debate;
    default:
      return profile.speechLimits[purpose];
  }
}

function startSpeech(
  ctx: SessionContext,
  ev: MachineEvent,
  speechId: string,
  speaker: SpeakerRef,
  purpose: FloorPurpose,
  limitSec: number | undefined,
  questionId?: string,
): SessionContext {
  const speech: Speech = {
    speechId,
    speaker,
    purpose,
    itemId: ctx.currentItemId,
    startedAt: ev.at,
    limitSec: limitSec ?? defaultLimit(ctx.council.profile, purpose, ctx.questioning.activeGroupId !== null),
    extendedSec: 0,
    overtime: false,
    ...(questionId === undefined ? {} : { questionId }),
  };
  return { ...ctx, floor: { ...ctx.floor, current: speech } };
}

function endSpeech(ctx: SessionContext, at: number): SessionContext {
  const current = ctx.floor.current;
  if (!current) return ctx;
  return { ...ctx, floor: { ...ctx.floor, current: null, log: [...ctx.floor.log, { ...current, endedAt: at }] } };
}

const updatePoll = (ctx: SessionContext, pollId: string, change: (p: Poll) => Poll): SessionContext => ({
  ...ctx,
  polls: ctx.polls.map((p) => (p.pollId === pollId ? change(p) : p)),
});

const presentNow = (ctx: SessionContext) => ctx.council.delegates.filter((d) => d.status === 'sitting' && isPresent(ctx, d.id)).length;

/** A public electronic poll counts itself from the choices in context; other modes bring counts with the event. */
function countsAtClose(ctx: SessionContext, poll: Poll, given: PollCounts | undefined): PollCounts {
  if (poll.mode !== 'electronic') return given as PollCounts;
  const tally = { kind: 'motion' as const, yes: 0, no: 0, abstain: 0 };
  for (const choice of Object.values(poll.choices)) {
    if (choice === 'yes' || choice === 'no' || choice === 'abstain') tally[choice]++;
  }
  return tally;
}

function closePoll(ctx: SessionContext, ev: EventOf<'poll.close'> | EventOf<'poll.deadline'>): SessionContext {
  const poll = findPoll(ctx, ev.pollId)!;
  if (isCommitteePoll(poll)) {
    // No more ballots; the poll is counted when enough of its committee have decrypted (`committee.decrypt`).
    return updatePoll(ctx, ev.pollId, (p) => ({ ...p, closesAt: null, closedAt: ev.at, presentAtClose: presentNow(ctx), committee: { ...poll.committee, phase: 'decrypting' } }));
  }
  const counts = countsAtClose(ctx, poll, ev.counts);
  return updatePoll(ctx, ev.pollId, (p) => ({ ...p, status: 'counted', closedAt: ev.at, counts, presentAtClose: presentNow(ctx) }));
}

function newPoll(ctx: SessionContext, ev: EventOf<'poll.open'>, round: number, revoteOf: string | null, reason: string | null): Poll {
  const defaultSeconds = ev.mode === 'electronic' || ev.mode === 'secret' ? ctx.council.profile.defaultPollSeconds : undefined;
  // A committee poll's clock starts when its key is complete: nobody can vote before.
  const committee = ev.sealing === 'committee' ? committeeAtOpen(ctx, ev, defaultSeconds) : undefined;
  const duration = ev.manualClose || committee ? undefined : ev.durationSec ?? defaultSeconds;
  const special = ctx.council.profile.legalMode === 'special';
  return {
    pollId: ev.pollId,
    itemId: ev.itemId ?? ctx.currentItemId,
    subject: ev.subject,
    kind: ev.kind,
    mode: ev.mode,
    rule: ev.rule ?? (special ? 'more-than-two-thirds' : 'more-than-half'),
    totalDelegates: totalDelegates(ctx),
    officialIds: ev.officialIds ?? [],
    candidates: ev.candidates ?? [],
    seats: ev.seats ?? 1,
    round,
    revoteOf,
    revoteReason: reason,
    openedAt: ev.at,
    closesAt: duration === undefined ? null : ev.at + duration * 1000,
    closedAt: null,
    announcedAt: null,
    cancelReason: null,
    status: 'open',
    castBy: [],
    choices: {},
    counts: null,
    presentAtClose: 0,
    ...(ev.sealing ? { sealing: ev.sealing } : {}),
    ...(committee ? { committee } : {}),
  };
}

function applyCommittee(ctx: SessionContext, pollId: string, change: (c: PollCommittee, p: Poll) => Partial<Poll> & { committee: PollCommittee }): SessionContext {
  return updatePoll(ctx, pollId, (p) => (isCommitteePoll(p) ? { ...p, ...change(p.committee, p) } : p));
}

export function apply(ctx: SessionContext, ev: MachineEvent): SessionContext {
  const next = applyEvent(ctx, ev);
  return next === ctx ? { ...ctx, lastEventAt: ev.at } : { ...next, lastEventAt: ev.at };
}

function applyEvent(ctx: SessionContext, ev: MachineEvent): SessionContext {
  switch (ev.type) {
    case 'session.openCheckIn':
      return ctx;
    case 'session.start':
      return {
        ...ctx,
        startedAt: ctx.startedAt ?? ev.at,
        sitting: { ...ctx.sitting, startedAt: ctx.sitting.startedAt ?? ev.at },
      };
    case 'session.recess':
      return { ...ctx, recess: { since: ev.at, resumeAt: ev.resumeInMin === undefined ? null : ev.at + ev.resumeInMin * 60_000 } };
    case 'session.resume':
      return { ...ctx, recess: null };
    case 'session.adjourn':
      return { ...endSpeech(ctx, ev.at), adjournedAt: ev.at, broadcast: { onAir: false, since: null }, recess: null };
    case 'sitting.begin':
      // A new sitting needs a fresh roll call: attendance is recorded per sitting (docs/rules.md).
      return {
        ...ctx,
        recess: null,
        sittings: [...ctx.sittings, ctx.sitting],
        sitting: { number: ctx.sitting.number + 1, title: ev.title, startedAt: null, closed: false },
        attendance: {},
        broadcast: { onAir: false, since: null },
      };
    case 'sitting.setClosed':
      return {
        ...ctx,
        sitting: { ...ctx.sitting, closed: ev.closed },
        broadcast: ev.closed ? { onAir: false, since: null } : ctx.broadcast,
      };

    case 'attendance.checkIn':
      return {
        ...ctx,
        attendance: { ...ctx.attendance, [ev.delegateId]: { status: ev.channel === 'remote' ? 'remote' : 'present', at: ev.at, by: ev.by.id } },
      };
    case 'attendance.set':
      return {
        ...ctx,
        attendance: {
          ...ctx.attendance,
          [ev.delegateId]: { status: ev.status, at: ev.at, by: ev.by.id, ...(ev.note ? { note: ev.note } : {}) },
        },
      };

    case 'agenda.goTo':
      // Requests on the old item lapse; those delegates may submit their views in writing.
      return {
        ...ctx,
        currentItemId: ev.itemId,
        floor: { ...ctx.floor, queue: [], unheard: [...ctx.floor.unheard, ...ctx.floor.queue] },
      };

    case 'floor.request':
      return {
        ...ctx,
        floor: {
          ...ctx.floor,
          queue: [...ctx.floor.queue, { requestId: ev.requestId, delegateId: ev.by.id, purpose: ev.purpose, itemId: ctx.currentItemId, at: ev.at }],
        },
      };
    case 'floor.withdraw':
    case 'floor.deny':
      return { ...ctx, floor: { ...ctx.floor, queue: ctx.floor.queue.filter((r) => r.requestId !== ev.requestId) } };
    case 'floor.reorder': {
      const byId = new Map(ctx.floor.queue.map((r) => [r.requestId, r]));
      return { ...ctx, floor: { ...ctx.floor, queue: ev.requestIds.map((id) => byId.get(id)!) } };
    }
    case 'floor.grant': {
      const req = ctx.floor.queue.find((r) => r.requestId === ev.requestId)!;
      const dequeued = { ...ctx, floor: { ...ctx.floor, queue: ctx.floor.queue.filter((r) => r.requestId !== ev.requestId) } };
      return startSpeech(dequeued, ev, ev.speechId, { kind: 'delegate', id: req.delegateId }, req.purpose, ev.limitSec);
    }
    case 'floor.give':
      return startSpeech(ctx, ev, ev.speechId, ev.speaker, ev.purpose, ev.limitSec);
    case 'floor.extend': {
      const s = ctx.floor.current!;
      return { ...ctx, floor: { ...ctx.floor, current: { ...s, extendedSec: s.extendedSec + ev.addSec, overtime: false } } };
    }
    case 'floor.timeUp':
      return { ...ctx, floor: { ...ctx.floor, current: { ...ctx.floor.current!, overtime: true } } };
    case 'floor.stop':
    case 'floor.yield':
      return endSpeech(ctx, ev.at);

    case 'questioning.addGroup':
      return {
        ...ctx,
        questioning: {
          ...ctx.questioning,
          groups: [...ctx.questioning.groups, { groupId: ev.groupId, topic: ev.topic, respondentIds: ev.respondentIds, status: 'pending' }],
        },
      };
    case 'questioning.openGroup':
      return {
        ...ctx,
        questioning: {
          ...ctx.questioning,
          activeGroupId: ev.groupId,
          groups: ctx.questioning.groups.map((g) => (g.groupId === ev.groupId ? { ...g, status: 'active' } : g)),
        },
      };
    case 'questioning.closeGroup': {
      const groupId = ctx.questioning.activeGroupId;
      const group = ctx.questioning.groups.find((g) => g.groupId === groupId);
      const due = ev.at + ctx.council.profile.questioning.writtenAnswerDays * DAY_MS;
      // Questions not reached in the sitting get a written answer within 20 days (docs/rules.md).
      const notReached = (q: SessionContext['questioning']['questions'][number]) =>
        q.status === 'queued' && (q.groupId === groupId || (q.groupId === null && group?.respondentIds.includes(q.respondentId)));
      return {
        ...ctx,
        questioning: {
          ...ctx.questioning,
          activeGroupId: null,
          groups: ctx.questioning.groups.map((g) => (g.groupId === groupId ? { ...g, status: 'done' } : g)),
          questions: ctx.questioning.questions.map((q) => (notReached(q) ? { ...q, status: 'writtenPending', writtenDueAt: due } : q)),
        },
      };
    }
    case 'question.submit':
      return {
        ...ctx,
        questioning: {
          ...ctx.questioning,
          questions: [
            ...ctx.questioning.questions,
            {
              questionId: ev.questionId,
              delegateId: ev.by.id,
              respondentId: ev.respondentId,
              groupId: ev.groupId ?? null,
              text: ev.text,
              status: 'queued',
              at: ev.at,
            },
          ],
        },
      };
    case 'question.withdraw':
      return setQuestion(ctx, ev.questionId, { status: 'withdrawn' });
    case 'question.markWritten':
      return setQuestion(ctx, ev.questionId, {
        status: 'writtenPending',
        writtenDueAt: ev.at + ctx.council.profile.questioning.writtenAnswerDays * DAY_MS,
      });
    case 'question.writtenAnswered':
      return setQuestion(ctx, ev.questionId, {
        status: 'writtenAnswered',
        writtenAnswer: { at: ev.at, by: ev.by.id, ...(ev.note ? { note: ev.note } : {}), ...(ev.evidence ? { evidence: ev.evidence } : {}) },
      });
    case 'questioning.call': {
      const q = ctx.questioning.questions.find((x) => x.questionId === ev.questionId)!;
      const asked = setQuestion(ctx, ev.questionId, { status: 'asked' });
      return startSpeech(asked, ev, ev.speechId, { kind: 'delegate', id: q.delegateId }, 'question', undefined, q.questionId);
    }
    case 'questioning.answer': {
      // The respondent answers every question put to them in this round at once (or the one, per question).
      const answered = new Set(awaitingAnswer(ctx).filter((q) => q.respondentId === ev.respondentId).map((q) => q.questionId));
      const updated = {
        ...ctx,
        questioning: {
          ...ctx.questioning,
          questions: ctx.questioning.questions.map((q) => (answered.has(q.questionId) ? { ...q, status: 'answered' as const } : q)),
        },
      };
      return startSpeech(updated, ev, ev.speechId, { kind: 'official', id: ev.respondentId }, 'answer', undefined);
    }
    case 'questioning.debate': {
      const marked = setQuestion(ctx, ev.questionId, { debated: true });
      return startSpeech(marked, ev, ev.speechId, ev.speaker, 'debate', undefined, ev.questionId);
    }
    case 'questioning.opening':
      return startSpeech(ctx, ev, ev.speechId, { kind: 'official', id: ev.respondentId }, 'opening', undefined);
    case 'commitment.record': {
      const { type: _t, at, by: _b, ...fields } = ev;
      return {
        ...ctx,
        questioning: { ...ctx.questioning, commitments: [...ctx.questioning.commitments, { ...fields, at }] },
      };
    }
    case 'commitment.update': {
      const update = {
        updateId: ev.updateId,
        status: ev.status,
        note: ev.note,
        ...(ev.evidence ? { evidence: ev.evidence } : {}),
        at: ev.at,
        by: ev.by.id,
      };
      return {
        ...ctx,
        questioning: {
          ...ctx.questioning,
          commitments: ctx.questioning.commitments.map((c) => (c.commitmentId === ev.commitmentId ? { ...c, updates: [...(c.updates ?? []), update] } : c)),
        },
      };
    }
    case 'counting.setCommittee':
      return { ...ctx, paperwork: { ...paperworkOf(ctx), committee: ev.members.map((m) => ({ delegateId: m.delegateId, role: m.role })) } };
    case 'minutes.approve': {
      const { type: _t, at, by, ...approval } = ev;
      const paperwork = paperworkOf(ctx);
      return { ...ctx, paperwork: { ...paperwork, approvals: [...paperwork.approvals, { ...approval, at, by: by.id }] } };
    }

    case 'poll.open':
      return { ...ctx, polls: [...ctx.polls, newPoll(ctx, ev, 1, null, null)] };
    case 'poll.revote': {
      const prev = findPoll(ctx, ev.pollId)!;
      const reopened = newPoll(
        ctx,
        {
          ...ev,
          type: 'poll.open',
          pollId: ev.newPollId,
          itemId: prev.itemId ?? undefined,
          subject: prev.subject,
          kind: prev.kind,
          mode: prev.mode,
          rule: ev.rule ?? prev.rule,
          officialIds: prev.officialIds,
          candidates: prev.candidates,
          seats: prev.seats,
          ...(prev.sealing ? { sealing: prev.sealing } : {}),
        },
        prev.round + 1,
        prev.pollId,
        ev.reason,
      );
      return { ...ctx, polls: [...ctx.polls, reopened] };
    }
    case 'ballot.cast':
      return updatePoll(ctx, ev.pollId, (p) => ({
        ...p,
        castBy: p.castBy.includes(ev.by.id) ? p.castBy : [...p.castBy, ev.by.id],
        choices: p.mode === 'electronic' && ev.choice !== undefined ? { ...p.choices, [ev.by.id]: ev.choice } : p.choices,
      }));
    case 'ballot.retract':
      return updatePoll(ctx, ev.pollId, (p) => ({ ...p, castBy: p.castBy.filter((id) => id !== ev.delegateId) }));
    case 'poll.deadline': {
      const poll = findPoll(ctx, ev.pollId)!;
      if (tooFewSecretBallots(ctx, poll)) {
        return updatePoll(ctx, ev.pollId, (p) => ({ ...p, status: 'cancelled', closedAt: ev.at, cancelReason: TOO_FEW_AT_DEADLINE, choices: {} }));
      }
      return closePoll(ctx, ev);
    }
    case 'poll.close':
      return closePoll(ctx, ev);
    case 'committee.commit':
      return applyCommittee(ctx, ev.pollId, (c) => ({ committee: { ...c, commitments: [...c.commitments, ev.commitment] } }));
    case 'committee.deal':
      return applyCommittee(ctx, ev.pollId, (c) => {
        const dealt = [...c.dealt, memberIndex(c, ev.by.id)];
        const complete = dealt.length === c.members.length;
        return {
          committee: { ...c, shares: [...c.shares, ...ev.shares], dealt, phase: complete ? 'voting' : c.phase },
          ...(complete && c.durationSec !== null ? { closesAt: ev.at + c.durationSec * 1000 } : {}),
        };
      });
    case 'committee.complain':
      // The key is unusable: the clock stops, so no deadline closes a poll the chair must cancel.
      return applyCommittee(ctx, ev.pollId, (c) => ({
        closesAt: null,
        committee: { ...c, failed: { dealer: ev.complaint.dealer, dealerId: c.members[ev.complaint.dealer - 1]!, by: ev.by.id } },
      }));
    case 'committee.decrypt':
      return applyCommittee(ctx, ev.pollId, (c) => ({
        committee: { ...c, partials: [...c.partials, ev.partial] },
        ...(ev.counts ? { status: 'counted' as const, counts: ev.counts } : {}),
      }));
    case 'poll.cancel':
      return updatePoll(ctx, ev.pollId, (p) => ({ ...p, status: 'cancelled', closedAt: ev.at, cancelReason: ev.reason, choices: {} }));
    case 'poll.announce':
      return updatePoll(ctx, ev.pollId, (p) => ({ ...p, status: 'announced', announcedAt: ev.at }));

    case 'broadcast.start':
      return { ...ctx, broadcast: { onAir: true, since: ev.at } };
    case 'broadcast.stop':
      return { ...ctx, broadcast: { onAir: false, since: null } };
  }
}

function setQuestion(ctx: SessionContext, questionId: string, change: Partial<SessionContext['questioning']['questions'][number]>): SessionContext {
  return {
    ...ctx,
    questioning: {
      ...ctx.questioning,
      questions: ctx.questioning.questions.map((q) => (q.questionId === questionId ? { ...q, ...change } : q)),
    },
  };
}
