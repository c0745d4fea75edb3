/**
 * Projections of the session per audience (docs/architecture.md). The server never ships raw context: each audience gets
 * only what it may see. Secret-ballot contents are not in the context at all; on top of that, no projection shows
 * a running tally or anyone's choice before a poll is counted (public votes influence too), only the chair and the
 * secretary see results before the announcement, and named choices of public votes appear after it.
 */
import type { AgendaItem, Council } from '../model.ts';
import {
  confidenceRatingResult,
  confidenceVoteResult,
  electionResult,
  motionResult,
  quorumStatus,
  type QuorumStatus,
} from '../rules/index.ts';
import type { BallotChoice, FloorPurpose, PollKind, PollMode, SpeakerRef } from '../protocol/commands.ts';
import { paperworkOf, type Poll, type PollCommittee, type QuestionStatus, type SessionContext, type SessionPaperwork } from '../machine/context.ts';
import { isCommitteePoll } from '../machine/committee-poll.ts';
import { activeGroup, awaitingAnswer, isPresent, presentCounts, questionInActiveGroup, questionQueue, totalDelegates } from '../machine/guards.ts';
import type { SessionSnapshot } from '../machine/engine.ts';
import { MACHINE_VERSION } from '../machine/session.machine.ts';

export type Audience = 'chair' | 'secretary' | 'delegate' | 'wall' | 'public';
export type Phase = 'scheduled' | 'checkIn' | 'inProgress' | 'recess' | 'adjourned';

export interface SpeakerView {
  speechId: string;
  kind: SpeakerRef['kind'];
  id: string | null;
  name: string;
  /** Delegate group, official's post, or a guest's title. */
  role: string;
  purpose: FloorPurpose;
  startedAt: number;
  limitSec: number;
  extendedSec: number;
  /** When the time is up (ms since epoch, server clock); clients count down from it corrected for clock offset. */
  endsAt: number;
  overtime: boolean;
  questionId: string | null;
  /** A question's speech: the official it is put to (the wall and the broadcast say who is asked). */
  askedOf: { id: string; name: string; post: string } | null;
  /** When the speech ended (speech log); null while it goes on. */
  endedAt: number | null;
}

export interface QueueEntryView {
  requestId: string;
  delegateId: string;
  name: string;
  group: string;
  purpose: FloorPurpose;
  at: number;
}

export interface AttendanceView {
  total: number;
  present: number;
  remote: number;
  absentExcused: number;
  absentUnexcused: number;
  unknown: number;
  quorum: QuorumStatus;
}

export interface AttendanceRow {
  delegateId: string;
  name: string;
  group: string;
  seat: string;
  status: SessionContext['attendance'][string]['status'];
  note?: string;
  correctedBy?: string;
}

export type ResultView =
  | ({ kind: 'motion' } & ReturnType<typeof motionResult>)
  | {
      kind: 'confidenceRating';
      officials: ({ officialId: string; name: string; post: string } & ReturnType<typeof confidenceRatingResult>)[];
    }
  | {
      kind: 'confidenceVote';
      officials: ({ officialId: string; name: string; post: string } & ReturnType<typeof confidenceVoteResult>)[];
    }
  | ({ kind: 'election'; names: Record<string, string> } & ReturnType<typeof electionResult>);

export interface PollView {
  pollId: string;
  subject: string;
  itemId: string | null;
  kind: PollKind;
  mode: PollMode;
  rule: Poll['rule'];
  round: number;
  revoteOf: string | null;
  revoteReason: string | null;
  status: Poll['status'];
  openedAt: number;
  closesAt: number | null;
  castCount: number;
  /** Delegates present now, who may vote (the poll's base for thresholds is `totalDelegates`). */
  eligible: number;
  totalDelegates: number;
  officials: { id: string; name: string; post: string }[];
  candidates: { id: string; name: string }[];
  seats: number;
  result: ResultView | null;
  /** Public electronic polls, chair/secretary while open: present delegates who have not voted. */
  notVoted?: string[];
  /** Public electronic polls after the announcement: who chose what (the law requires publishing it). */
  named?: { delegateId: string; name: string; choice: BallotChoice }[];
  /** Delegate audience: their own ballot. `choice` only for public polls; a secret ballot is never echoed back. */
  mine?: { cast: boolean; choice?: BallotChoice };
  /** Secret e-ballots: sealed by the server (the fallback) or encrypted to the counting committee's key. */
  sealing?: 'server' | 'committee';
  /** Committee polls: the key ceremony and the decryption, member by member (all of it public). */
  committee?: CommitteeView;
}

export interface CommitteeView {
  phase: 'ceremony' | 'voting' | 'decrypting' | 'done';
  threshold: number;
  /** Binds the poll's proofs; the tablets encrypt with it. */
  context: string;
  members: { index: number; delegateId: string; name: string; committed: boolean; dealt: boolean; decrypted: boolean }[];
  /** An upheld complaint: the dealer named, and who showed it; the chair cancels and reopens without the dealer. */
  failed?: { dealer: number; dealerId: string; dealerName: string; by: string };
}

export interface QuestionView {
  questionId: string;
  delegateId: string;
  asker: string;
  respondentId: string;
  respondent: string;
  groupId: string | null;
  text: string;
  status: QuestionStatus;
  writtenDueAt: number | null;
}

/** A commitment as every audience sees it; staff also get the secretary's follow-ups in `commitments`. */
export interface PledgeView {
  commitmentId: string;
  respondentId: string;
  respondent: string;
  post: string;
  questionId: string | null;
  content: string;
  deadline: string | null;
  at: number;
}

export interface SessionView {
  audience: Audience;
  seq: number;
  machineVersion: number;
  sessionId: string;
  title: string;
  council: { id: string; name: string; level: Council['level']; term: string };
  phase: Phase;
  /** The region states while in progress, e.g. { floor: 'speaking', voting: 'open', … }. */
  regions: Record<string, string> | null;
  sitting: SessionContext['sitting'];
  closedSitting: boolean;
  agenda: AgendaItem[];
  currentItemId: string | null;
  speaker: SpeakerView | null;
  queue: QueueEntryView[];
  attendance: AttendanceView | null;
  poll: PollView | null;
  polls: PollView[];
  questioning: {
    activeGroup: { groupId: string; topic: string; respondents: { id: string; name: string; post: string }[] } | null;
    groups: { groupId: string; topic: string; status: string }[];
    queue: QuestionView[];
    awaitingAnswer: QuestionView[];
    /** Answered in the active group: the questions a debate turn may follow up. */
    answered: QuestionView[];
  } | null;
  broadcast: { onAir: boolean; since: number | null };
  /** During a recess: since when, and when the chair said the sitting resumes (null: not said). */
  recess: { since: number; resumeAt: number | null } | null;
  /** Commitments respondents made in this session's questioning (a public record), oldest first. */
  pledges: PledgeView[];
  /** The council's officials (public record: names and posts), for respondent and candidate pickers. */
  officials: Council['officials'];
  /** Chair and secretary: the council's rules profile (time limits, answer mode, quorum rule…). */
  profile?: Council['profile'];
  /** Chair and secretary: the counting committee and the approved minutes versions. */
  paperwork?: SessionPaperwork;
  /** Chair and secretary: the roll, commitments and the questions awaiting written answers. */
  roll?: AttendanceRow[];
  commitments?: SessionContext['questioning']['commitments'];
  questions?: QuestionView[];
  speechLog?: SpeakerView[];
  unheard?: QueueEntryView[];
  /** Delegate audience: who the view is for, their attendance and their place in the queue (1-based, or null). */
  me?: { delegateId: string; name: string; attendance: AttendanceRow['status']; queuePosition: number | null; requestId: string | null; questions: QuestionView[] };
  /** The machine snapshot with other people's choices removed, so clients can ask `can(event)` of the same machine. */
  snapshot?: unknown;
}

export function phaseOf(snapshot: SessionSnapshot): Phase {
  const v = snapshot.value;
  return (typeof v === 'string' ? v : Object.keys(v)[0]) as Phase;
}

function regionsOf(snapshot: SessionSnapshot): Record<string, string> | null {
  const v = snapshot.value as unknown;
  if (typeof v === 'string') return null;
  const inner = (v as Record<string, unknown>).inProgress;
  return inner && typeof inner === 'object' ? (inner as Record<string, string>) : null;
}

const delegateName = (ctx: SessionContext, id: string) => ctx.council.delegates.find((d) => d.id === id);
const officialOf = (ctx: SessionContext, id: string) => ctx.council.officials.find((o) => o.id === id);

function speakerView(ctx: SessionContext, s: NonNullable<SessionContext['floor']['current']>): SpeakerView {
  const ref = s.speaker;
  let name = '';
  let role = '';
  if (ref.kind === 'delegate') {
    const d = delegateName(ctx, ref.id);
    name = d?.fullName ?? ref.id;
    role = d?.group ?? '';
  } else if (ref.kind === 'official') {
    const o = officialOf(ctx, ref.id);
    name = o?.fullName ?? ref.id;
    role = o?.post ?? '';
  } else {
    name = ref.name;
    role = ref.title ?? '';
  }
  return {
    speechId: s.speechId,
    kind: ref.kind,
    id: ref.kind === 'guest' ? null : ref.id,
    name,
    role,
    purpose: s.purpose,
    startedAt: s.startedAt,
    limitSec: s.limitSec,
    extendedSec: s.extendedSec,
    endsAt: s.startedAt + (s.limitSec + s.extendedSec) * 1000,
    overtime: s.overtime,
    questionId: s.questionId ?? null,
    askedOf: askedOf(ctx, s.questionId),
    endedAt: s.endedAt ?? null,
  };
}

function askedOf(ctx: SessionContext, questionId: string | null | undefined): SpeakerView['askedOf'] {
  const q = questionId ? ctx.questioning.questions.find((x) => x.questionId === questionId) : undefined;
  if (!q) return null;
  const o = officialOf(ctx, q.respondentId);
  return { id: q.respondentId, name: o?.fullName ?? q.respondentId, post: o?.post ?? '' };
}

function queueView(ctx: SessionContext, list: SessionContext['floor']['queue']): QueueEntryView[] {
  return list.map((r) => {
    const d = delegateName(ctx, r.delegateId);
    return { requestId: r.requestId, delegateId: r.delegateId, name: d?.fullName ?? r.delegateId, group: d?.group ?? '', purpose: r.purpose, at: r.at };
  });
}

function attendanceView(ctx: SessionContext): AttendanceView {
  const total = totalDelegates(ctx);
  const { present, remote } = presentCounts(ctx);
  let absentExcused = 0;
  let absentUnexcused = 0;
  for (const d of ctx.council.delegates) {
    if (d.status !== 'sitting') continue;
    const s = ctx.attendance[d.id]?.status;
    if (s === 'absentExcused') absentExcused++;
    if (s === 'absentUnexcused') absentUnexcused++;
  }
  const profile = ctx.council.profile;
  return {
    total,
    present,
    remote,
    absentExcused,
    absentUnexcused,
    unknown: total - present - remote - absentExcused - absentUnexcused,
    quorum: total === 0
      ? { counted: 0, required: 0, total: 0, met: false, percent: '0,00%' }
      : quorumStatus({ present, remote, total, rule: profile.quorumRule, remoteCounts: profile.remoteCountsForQuorum }),
  };
}

/** Per attendance record: the roll made of it, with the delegates it was made with (a council changes only at restore). */
const rollCache = new WeakMap<SessionContext['attendance'], { delegates: Council['delegates']; roll: AttendanceRow[] }>();

/**
 * The roll of the current sitting by name (the records read it at the end of every sitting). The same attendance gives
 * the same roll object, so a staff view's patch skips it without a look at its 85 rows. Shared: never changed in place.
 */
export function rollView(ctx: SessionContext): AttendanceRow[] {
  const cached = rollCache.get(ctx.attendance);
  if (cached?.delegates === ctx.council.delegates) return cached.roll;
  const roll = makeRoll(ctx);
  rollCache.set(ctx.attendance, { delegates: ctx.council.delegates, roll });
  return roll;
}

function makeRoll(ctx: SessionContext): AttendanceRow[] {
  return ctx.council.delegates
    .filter((d) => d.status === 'sitting')
    .map((d) => {
      const a = ctx.attendance[d.id];
      return {
        delegateId: d.id,
        name: d.fullName,
        group: d.group,
        seat: d.seat,
        status: a?.status ?? 'unknown',
        ...(a?.note ? { note: a.note } : {}),
        ...(a && a.by !== d.id ? { correctedBy: a.by } : {}),
      };
    });
}

/** The result panel of a counted poll, computed with the council rules (integer arithmetic, Vietnamese percentages). */
export function resultOf(ctx: SessionContext, poll: Poll): ResultView | null {
  const c = poll.counts;
  if (!c) return null;
  const total = poll.totalDelegates;
  const officials = poll.officialIds.map((id) => ({ officialId: id, name: officialOf(ctx, id)?.fullName ?? id, post: officialOf(ctx, id)?.post ?? '' }));
  switch (c.kind) {
    case 'motion':
      return { kind: 'motion', ...motionResult(c, total, poll.rule) };
    case 'confidenceRating':
      return {
        kind: 'confidenceRating',
        officials: officials.map((o) => {
          const k = c.officials[o.officialId]!;
          return {
            ...o,
            ...confidenceRatingResult(
              { issued: c.issued, collected: c.collected, valid: k.valid, high: k.high ?? 0, confidence: k.confidence, low: k.low ?? 0 },
              ctx.council.profile.confidenceBase,
              total,
            ),
          };
        }),
      };
    case 'confidenceVote':
      return {
        kind: 'confidenceVote',
        officials: officials.map((o) => {
          const k = c.officials[o.officialId]!;
          return {
            ...o,
            ...confidenceVoteResult(
              { issued: c.issued, collected: c.collected, valid: k.valid, confidence: k.confidence, noConfidence: k.noConfidence ?? 0 },
              total,
            ),
          };
        }),
      };
    case 'election':
      return {
        kind: 'election',
        names: Object.fromEntries(poll.candidates.map((k) => [k.id, k.name])),
        ...electionResult(
          { candidates: poll.candidates.map((k) => ({ id: k.id, votes: c.votes[k.id] ?? 0 })), seats: poll.seats, validBallots: c.valid },
          total,
        ),
      };
  }
}

/** Delegates present now, who may vote: the same for every poll of a state, so a projection counts them once. */
const eligibleOf = (ctx: SessionContext) => ctx.council.delegates.filter((d) => d.status === 'sitting' && isPresent(ctx, d.id)).length;

function pollView(ctx: SessionContext, poll: Poll, audience: Audience, delegateId: string | null, eligible = eligibleOf(ctx)): PollView {
  const staff = audience === 'chair' || audience === 'secretary';
  // A secret poll's counts are shown to nobody, the chair included, before the announcement: with few ballots, or a
  // lopsided result, the counts alone tell who chose what (DESIGN: secret ballots stay secret).
  const resultVisible = poll.status === 'announced' || (staff && poll.status === 'counted' && poll.mode !== 'secret');
  const view: PollView = {
    pollId: poll.pollId,
    subject: poll.subject,
    itemId: poll.itemId,
    kind: poll.kind,
    mode: poll.mode,
    rule: poll.rule,
    round: poll.round,
    revoteOf: poll.revoteOf,
    revoteReason: poll.revoteReason,
    status: poll.status,
    openedAt: poll.openedAt,
    closesAt: poll.closesAt,
    castCount: poll.castBy.length,
    eligible,
    totalDelegates: poll.totalDelegates,
    officials: poll.officialIds.map((id) => ({ id, name: officialOf(ctx, id)?.fullName ?? id, post: officialOf(ctx, id)?.post ?? '' })),
    candidates: poll.candidates,
    seats: poll.seats,
    result: resultVisible ? resultOf(ctx, poll) : null,
  };
  // Who has not voted yet, in seat order (an unordered set: never the order ballots came in).
  if (staff && poll.status === 'open' && (poll.mode === 'electronic' || poll.mode === 'secret')) {
    const cast = new Set(poll.castBy);
    view.notVoted = ctx.council.delegates.filter((d) => d.status === 'sitting' && isPresent(ctx, d.id) && !cast.has(d.id)).map((d) => d.id);
  }
  if (poll.mode === 'electronic' && poll.status === 'announced') {
    view.named = Object.entries(poll.choices).map(([id, choice]) => ({ delegateId: id, name: delegateName(ctx, id)?.fullName ?? id, choice }));
  }
  if (audience === 'delegate' && delegateId) view.mine = mineOf(poll, delegateId);
  if (poll.mode === 'secret') view.sealing = poll.sealing ?? 'server';
  if (isCommitteePoll(poll)) view.committee = committeeView(ctx, poll);
  return view;
}

function committeeView(ctx: SessionContext, poll: Poll & { committee: PollCommittee }): CommitteeView {
  const c = poll.committee;
  const decrypted = new Set(c.partials.map((p) => p.member));
  const committed = new Set(c.commitments.map((m) => m.index));
  const dealt = new Set(c.dealt);
  return {
    phase: poll.status === 'open' ? c.phase : 'done',
    threshold: c.threshold,
    context: c.context,
    members: c.members.map((delegateId, i) => ({
      index: i + 1,
      delegateId,
      name: delegateName(ctx, delegateId)?.fullName ?? delegateId,
      committed: committed.has(i + 1),
      dealt: dealt.has(i + 1),
      decrypted: decrypted.has(i + 1),
    })),
    ...(c.failed ? { failed: { ...c.failed, dealerName: delegateName(ctx, c.failed.dealerId)?.fullName ?? c.failed.dealerId } } : {}),
  };
}

/** A delegate's own ballot: a secret one is never echoed back, only that it was recorded. */
function mineOf(poll: Poll, delegateId: string, cast = poll.castBy.includes(delegateId)): NonNullable<PollView['mine']> {
  const own = poll.mode === 'electronic' ? poll.choices[delegateId] : undefined;
  return own === undefined ? { cast } : { cast, choice: own };
}

/** What every delegate's own part looks up, built once per state instead of once per tablet. */
interface OwnLookups {
  delegates: Map<string, Council['delegates'][number]>;
  /** First place of each delegate in the floor queue. */
  queued: Map<string, number>;
  questions: Map<string, SessionContext['questioning']['questions']>;
  cast: Set<string>[];
}

function ownLookups(ctx: SessionContext): OwnLookups {
  const queued = new Map<string, number>();
  ctx.floor.queue.forEach((r, i) => queued.has(r.delegateId) || queued.set(r.delegateId, i));
  const questions = new Map<string, SessionContext['questioning']['questions']>();
  for (const q of ctx.questioning.questions) questions.set(q.delegateId, [...(questions.get(q.delegateId) ?? []), q]);
  return { delegates: new Map(ctx.council.delegates.map((d) => [d.id, d])), queued, questions, cast: ctx.polls.map((p) => new Set(p.castBy)) };
}

function meOf(ctx: SessionContext, delegateId: string, own: OwnLookups = ownLookups(ctx)): NonNullable<SessionView['me']> {
  const d = own.delegates.get(delegateId);
  const pos = own.queued.get(delegateId) ?? -1;
  return {
    delegateId,
    name: d?.fullName ?? delegateId,
    attendance: ctx.attendance[delegateId]?.status ?? 'unknown',
    queuePosition: pos === -1 ? null : pos + 1,
    requestId: pos === -1 ? null : ctx.floor.queue[pos]!.requestId,
    questions: (own.questions.get(delegateId) ?? []).map((q) => questionView(ctx, q)),
  };
}

function questionView(ctx: SessionContext, q: SessionContext['questioning']['questions'][number]): QuestionView {
  return {
    questionId: q.questionId,
    delegateId: q.delegateId,
    asker: delegateName(ctx, q.delegateId)?.fullName ?? q.delegateId,
    respondentId: q.respondentId,
    respondent: officialOf(ctx, q.respondentId)?.fullName ?? q.respondentId,
    groupId: q.groupId,
    text: q.text,
    status: q.status,
    writtenDueAt: q.writtenDueAt ?? null,
  };
}

/** The current poll: the open one, else the most recent that is not cancelled. */
function currentPoll(ctx: SessionContext): Poll | null {
  const open = ctx.polls.find((p) => p.status === 'open');
  if (open) return open;
  for (let i = ctx.polls.length - 1; i >= 0; i--) if (ctx.polls[i]!.status !== 'cancelled') return ctx.polls[i]!;
  return null;
}

type Persisted = { context: SessionContext } & Record<string, unknown>;
/**
 * XState's persisted form walks the whole context; a publication asks it of one state for several audiences (and
 * snapshots are immutable), so it is kept per snapshot. Shared read-only: every redaction copies what it changes.
 */
const persistedCache = new WeakMap<SessionSnapshot, Persisted>();
function persistedOf(snapshot: SessionSnapshot): Persisted {
  let persisted = persistedCache.get(snapshot);
  if (!persisted) persistedCache.set(snapshot, (persisted = persist(snapshot)));
  return persisted;
}

const NO_CONTEXT = {};
/**
 * XState walks the whole context to replace the actor references in it by their ids; a machine without children
 * holds none (the context is journaled plain data), and that walk was most of what a view of a new state cost. So the
 * context is put back as it is, everything else persisted by XState.
 */
function persist(snapshot: SessionSnapshot): Persisted {
  const withActors = Object.keys(snapshot.children).length > 0;
  if (withActors) return snapshot.machine.getPersistedSnapshot(snapshot) as unknown as Persisted;
  const rest = snapshot.machine.getPersistedSnapshot({ ...snapshot, context: NO_CONTEXT } as unknown as SessionSnapshot) as unknown as Persisted;
  return { ...rest, context: snapshot.context };
}

/**
 * Removes what an audience may not see from the machine snapshot it receives for `can()`: other delegates'
 * public-vote choices before the announcement, a committee's decryption shares before it, attendance notes. Machine
 * decisions a client asks about never depend on the removed fields (a guard reads `castBy`, not `choices`).
 */
export function redactedSnapshot(snapshot: SessionSnapshot, audience: Audience, delegateId: string | null = null): unknown {
  // Copies only what it changes: the machine's context is never updated in place (apply.ts), so sharing the rest is
  // safe, and a publication no longer deep-clones the whole session twice.
  const persisted = persistedOf(snapshot);
  const ctx = persisted.context;
  const seatOrder = new Map(ctx.council.delegates.map((d, i) => [d.id, i]));
  // A delegate's own choice reaches them in `poll.mine`; the snapshot carries nobody's, so one copy serves every tablet.
  const polls = ctx.polls.map((unsealed) => {
    // A committee's decryption shares open the sums, so before the announcement they are the result: only who has
    // decrypted stays, which is all the guards a client's can() runs on this snapshot read (ALREADY_DECRYPTED).
    const p =
      unsealed.committee && unsealed.status !== 'announced'
        ? { ...unsealed, committee: { ...unsealed.committee, partials: unsealed.committee.partials.map(({ member }) => ({ member, shares: [] })) } }
        : unsealed;
    if (p.mode !== 'secret') return p.status === 'announced' ? p : { ...p, choices: {} };
    // A secret poll: never the order ballots came in. Staff get who has cast as a set (seat order); a tablet only
    // itself, so that its own buttons know the ballot is in; nobody gets counts before the announcement.
    const castBy =
      audience === 'delegate'
        ? p.castBy.filter((id) => id === delegateId)
        : [...p.castBy].sort((a, b) => (seatOrder.get(a) ?? Infinity) - (seatOrder.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0));
    return { ...p, castBy, choices: {}, counts: p.status === 'announced' ? p.counts : null };
  });
  let attendance = ctx.attendance;
  if (audience === 'delegate') {
    attendance = {};
    for (const [id, { note: _note, ...entry }] of Object.entries(ctx.attendance)) attendance[id] = entry;
  }
  return { ...persisted, context: { ...ctx, polls, attendance } };
}

export function project(
  snapshot: SessionSnapshot,
  seq: number,
  audience: Audience,
  delegateId: string | null = null,
): SessionView {
  const ctx = snapshot.context;
  const phase = phaseOf(snapshot);
  const staff = audience === 'chair' || audience === 'secretary';
  const closedForOutside = ctx.sitting.closed && (audience === 'public' || audience === 'wall');
  const council = { id: ctx.council.id, name: ctx.council.name, level: ctx.council.level, term: ctx.council.term };
  const base: SessionView = {
    audience,
    seq,
    machineVersion: MACHINE_VERSION,
    sessionId: ctx.sessionId,
    title: ctx.title,
    council,
    phase,
    regions: regionsOf(snapshot),
    sitting: ctx.sitting,
    closedSitting: ctx.sitting.closed,
    agenda: ctx.agenda,
    currentItemId: ctx.currentItemId,
    speaker: null,
    queue: [],
    attendance: null,
    poll: null,
    polls: [],
    questioning: null,
    broadcast: ctx.broadcast,
    recess: ctx.recess ?? null,
    pledges: [],
    officials: [],
  };
  // A closed sitting (họp kín) shows the wall and the public only that the session is meeting behind closed doors.
  if (closedForOutside) return { ...base, agenda: [], currentItemId: null, regions: null };

  const group = activeGroup(ctx);
  const eligible = eligibleOf(ctx);
  const view: SessionView = {
    ...base,
    officials: ctx.council.officials,
    pledges: ctx.questioning.commitments.map((c) => ({
      commitmentId: c.commitmentId,
      respondentId: c.respondentId,
      respondent: officialOf(ctx, c.respondentId)?.fullName ?? c.respondentId,
      post: officialOf(ctx, c.respondentId)?.post ?? '',
      questionId: c.questionId ?? null,
      content: c.content,
      deadline: c.deadline ?? null,
      at: c.at,
    })),
    speaker: ctx.floor.current ? speakerView(ctx, ctx.floor.current) : null,
    queue: queueView(ctx, ctx.floor.queue),
    attendance: attendanceView(ctx),
    poll: (() => {
      const p = currentPoll(ctx);
      return p ? pollView(ctx, p, audience, delegateId, eligible) : null;
    })(),
    polls: ctx.polls.map((p) => pollView(ctx, p, audience, delegateId, eligible)),
    questioning: {
      activeGroup: group
        ? {
            groupId: group.groupId,
            topic: group.topic,
            respondents: group.respondentIds.map((id) => ({ id, name: officialOf(ctx, id)?.fullName ?? id, post: officialOf(ctx, id)?.post ?? '' })),
          }
        : null,
      groups: ctx.questioning.groups.map((g) => ({ groupId: g.groupId, topic: g.topic, status: g.status })),
      queue: questionQueue(ctx).map((q) => questionView(ctx, q)),
      awaitingAnswer: awaitingAnswer(ctx).map((q) => questionView(ctx, q)),
      answered: ctx.questioning.questions.filter((q) => q.status === 'answered' && questionInActiveGroup(ctx, q)).map((q) => questionView(ctx, q)),
    },
  };
  if (staff) {
    view.profile = ctx.council.profile;
    view.roll = rollView(ctx);
    view.commitments = ctx.questioning.commitments;
    view.paperwork = paperworkOf(ctx);
    view.questions = ctx.questioning.questions.map((q) => questionView(ctx, q));
    view.speechLog = ctx.floor.log.map((s) => speakerView(ctx, s));
    view.unheard = queueView(ctx, ctx.floor.unheard);
  }
  if (audience === 'delegate' && delegateId) view.me = meOf(ctx, delegateId);
  if (staff || audience === 'delegate') view.snapshot = redactedSnapshot(snapshot, audience, delegateId);
  return view;
}

/**
 * What differs between two tablets' views of the same state: who the tablet belongs to and, per poll, whether (and for
 * a public poll how) that delegate voted. Everything else in a delegate's view is the same on every tablet.
 */
export interface PersonalView {
  sessionId: string;
  /** The seq of the state it was computed from. */
  seq: number;
  me: NonNullable<SessionView['me']>;
  mine: Record<string, NonNullable<PollView['mine']>>;
}

/** Each listed delegate's own part of one state (a publication computes the whole hall's at once). */
export function personalParts(snapshot: SessionSnapshot, seq: number, delegateIds: Iterable<string>): Map<string, PersonalView> {
  const ctx = snapshot.context;
  const own = ownLookups(ctx);
  const out = new Map<string, PersonalView>();
  for (const id of delegateIds) {
    const mine: PersonalView['mine'] = {};
    ctx.polls.forEach((poll, i) => (mine[poll.pollId] = mineOf(poll, id, own.cast[i]!.has(id))));
    out.set(id, { sessionId: ctx.sessionId, seq, me: meOf(ctx, id, own), mine });
  }
  return out;
}

export const personalOf = (snapshot: SessionSnapshot, seq: number, delegateId: string): PersonalView => personalParts(snapshot, seq, [delegateId]).get(delegateId)!;

/**
 * The delegates whose own part may differ between two states of a session, or null when anyone's may (then compute
 * everyone's). A superset is fine, a missing delegate is not: it reads everything `meOf` and `mineOf` read. In a vote
 * storm it is the few voters since the last publication instead of the whole hall, which a publication then need not
 * build and compare 85 parts for. The context is never changed in place (apply.ts), so an unchanged part of it is
 * the same object.
 */
export function ownPartsTouched(before: SessionContext, after: SessionContext): Set<string> | null {
  const touched = new Set<string>();
  if (before === after) return touched;
  if (
    before.council !== after.council ||
    before.floor.queue !== after.floor.queue ||
    before.questioning.questions !== after.questioning.questions ||
    before.polls.length !== after.polls.length
  ) {
    return null;
  }
  if (before.attendance !== after.attendance) {
    for (const id in after.attendance) if (before.attendance[id]?.status !== after.attendance[id]?.status) touched.add(id);
    for (const id in before.attendance) if (!(id in after.attendance)) touched.add(id);
  }
  for (let i = 0; i < after.polls.length; i++) {
    const a = before.polls[i]!;
    const b = after.polls[i]!;
    if (a === b) continue;
    if (a.pollId !== b.pollId || a.mode !== b.mode) return null;
    if (a.castBy !== b.castBy) {
      const was = new Set(a.castBy);
      const is = new Set(b.castBy);
      for (const id of is) if (!was.has(id)) touched.add(id);
      for (const id of was) if (!is.has(id)) touched.add(id);
    }
    if (a.choices !== b.choices) {
      for (const id in b.choices) if (a.choices[id] !== b.choices[id]) touched.add(id);
      for (const id in a.choices) if (!(id in b.choices)) touched.add(id);
    }
  }
  return touched;
}

/** A tablet's view: the delegates' shared view completed with one delegate's own part. */
export function personalise(shared: SessionView, personal: PersonalView): SessionView {
  const withMine = (pv: PollView): PollView => ({ ...pv, mine: personal.mine[pv.pollId] ?? { cast: false } });
  return {
    ...shared,
    polls: shared.polls.map(withMine),
    poll: shared.poll ? withMine(shared.poll) : null,
    me: personal.me,
    ...(shared.snapshot === undefined ? {} : { snapshot: withOwnSecretCasts(shared.snapshot, personal) }),
  };
}

/**
 * The shared snapshot lists no secret-poll voter; a tablet's own snapshot lists itself where it has cast, so that
 * `can()` on it refuses a second ballot exactly as the server does (and a join answer's snapshot agrees).
 */
function withOwnSecretCasts(snapshot: unknown, personal: PersonalView): unknown {
  const s = snapshot as { context?: { polls?: Poll[] } } & Record<string, unknown>;
  const polls = s?.context?.polls;
  if (!Array.isArray(polls) || !polls.some((p) => p.mode === 'secret' && personal.mine[p.pollId]?.cast)) return snapshot;
  const me = personal.me.delegateId;
  return {
    ...s,
    context: {
      ...s.context,
      polls: polls.map((p) => (p.mode === 'secret' && personal.mine[p.pollId]?.cast && !p.castBy.includes(me) ? { ...p, castBy: [me] } : p)),
    },
  };
}

/** The view every tablet shares (no `me`, no `mine`): one encoding serves the whole hall. */
export const sharedDelegateView = (snapshot: SessionSnapshot, seq: number): SessionView => project(snapshot, seq, 'delegate', null);

/**
 * Every delegate's view at once. The parts all tablets share (the redacted snapshot above all) are computed once,
 * which keeps an 85-tablet flush close to the cost of a single view.
 */
export function projectDelegates(snapshot: SessionSnapshot, seq: number, delegateIds: Iterable<string>): Map<string, SessionView> {
  const shared = sharedDelegateView(snapshot, seq);
  const out = new Map<string, SessionView>();
  for (const id of delegateIds) out.set(id, personalise(shared, personalOf(snapshot, seq, id)));
  return out;
}

export const chairView = (s: SessionSnapshot, seq: number) => project(s, seq, 'chair');
export const secretaryView = (s: SessionSnapshot, seq: number) => project(s, seq, 'secretary');
export const delegateView = (s: SessionSnapshot, seq: number, delegateId: string) => project(s, seq, 'delegate', delegateId);
export const wallView = (s: SessionSnapshot, seq: number) => project(s, seq, 'wall');
export const publicView = (s: SessionSnapshot, seq: number) => project(s, seq, 'public');
