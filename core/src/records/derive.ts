/**
 * The record of a session, derived from its journal and nothing else (issue 14: never re-typed). The journal is
 * replayed through the same machine that accepted it; after each event the context before and after are compared to
 * learn what the final context no longer says: attendance of earlier sittings (reset by `sitting.begin`), which
 * moments were closed (họp kín), when each item began and ended, the agenda as it was actually run.
 *
 * Closed parts are tracked by journal seq: an item (speech, poll, question, group, commitment, agenda move) is closed
 * when any seq of its life — from the event that created it to the one that ended it — falls inside a closed part,
 * so that a poll opened in public and announced behind closed doors is treated as closed too.
 */
import type { AgendaItem, Council } from '../model.ts';
import type { AttendanceStatus, BallotChoice, FloorPurpose, PollKind, PollMode, SpeakerRef } from '../protocol/commands.ts';
import type { Actor, MachineEvent } from '../protocol/commands.ts';
import { paperworkOf, type CommitmentUpdate, type CommitteeMember, type MinutesApproval, type Poll, type QuestionStatus, type SessionContext } from '../machine/context.ts';
import { replay, restoreSession, startSession, type PersistedSession } from '../machine/engine.ts';
import type { SessionSetup } from '../model.ts';
import { phaseOf, resultOf, rollView, type Phase, type ResultView } from '../views/project.ts';

/** One journal record as the store returns it (only what derivation reads). */
export interface JournalEntry {
  seq: number;
  at: number;
  event: unknown;
}

export interface SeqSpan {
  fromSeq: number;
  /** Null while the part is still open at the end of the journal. */
  toSeq: number | null;
  from: number;
  to: number | null;
}

export interface AttendanceRecord {
  delegateId: string;
  name: string;
  group: string;
  seat: string;
  status: AttendanceStatus;
  /** The reason of an absence or a correction note (internal: left out of public records). */
  note?: string;
  /** Account id of whoever recorded it when not the delegate (internal). */
  correctedBy?: string;
}

export interface AgendaMove {
  itemId: string;
  title: string;
  kind: AgendaItem['kind'];
  at: number;
  seq: number;
  sitting: number;
  closed: boolean;
}

export interface SittingRecord {
  number: number;
  title: string;
  startedAt: number | null;
  endedAt: number | null;
  recesses: { from: number; to: number | null }[];
  closedParts: SeqSpan[];
  /** Closed from its first event to its last: only the fact and times of the sitting are public. */
  closedThroughout: boolean;
  attendance: AttendanceRecord[];
}

export interface SpeechRecord {
  speechId: string;
  sitting: number;
  closed: boolean;
  speakerKind: SpeakerRef['kind'];
  speakerId: string | null;
  name: string;
  /** Delegate group, official's post or guest's title. */
  role: string;
  purpose: FloorPurpose;
  itemId: string | null;
  questionId: string | null;
  startedAt: number;
  endedAt: number | null;
  /** Time allowed, extensions included. */
  allowedSec: number;
  /** Whole seconds actually spoken; null while the speech goes on. */
  durationSec: number | null;
  /** Seconds beyond the time allowed (0 when within it). */
  overrunSec: number;
}

export interface PollRecord {
  pollId: string;
  sitting: number;
  closed: boolean;
  itemId: string | null;
  subject: string;
  kind: PollKind;
  mode: PollMode;
  rule: Poll['rule'];
  round: number;
  revoteOf: string | null;
  revoteReason: string | null;
  status: Poll['status'];
  openedAt: number;
  closedAt: number | null;
  announcedAt: number | null;
  cancelReason: string | null;
  totalDelegates: number;
  /** Ballots cast (eligibility records). */
  castCount: number;
  /** Who cast a ballot, in seat order — participation, never the order ballots came in nor a choice. */
  voters: string[];
  presentAtClose: number;
  officials: { id: string; name: string; post: string }[];
  candidates: { id: string; name: string }[];
  seats: number;
  /** The result panel: for a secret ballot only once announced; for the others once counted. */
  result: ResultView | null;
  announced: boolean;
  /** Public electronic polls after the announcement: who chose what, in seat order. Never for secret ballots. */
  named: { delegateId: string; name: string; group: string; choice: BallotChoice }[];
}

export interface GroupRecord {
  groupId: string;
  topic: string;
  respondents: { id: string; name: string; post: string }[];
  openedAt: number | null;
  closedAt: number | null;
  sitting: number | null;
  closed: boolean;
}

export interface QuestionRecord {
  questionId: string;
  askerId: string;
  asker: string;
  respondentId: string;
  respondent: string;
  respondentPost: string;
  groupId: string | null;
  text: string;
  status: QuestionStatus;
  submittedAt: number;
  askedAt: number | null;
  answeredAt: number | null;
  sitting: number | null;
  closed: boolean;
  writtenDueAt: number | null;
  writtenAnswer: { at: number; note?: string; evidence?: string } | null;
}

export interface CommitmentRecord {
  commitmentId: string;
  sessionId: string;
  respondentId: string;
  respondent: string;
  respondentPost: string;
  questionId: string | null;
  content: string;
  deadline: string | null;
  reportAt: string | null;
  at: number;
  sitting: number;
  closed: boolean;
  updates: CommitmentUpdate[];
}

export interface SessionRecordModel {
  sessionId: string;
  title: string;
  council: { id: string; name: string; level: Council['level']; term: string };
  delegates: { id: string; fullName: string; group: string; seat: string }[];
  officials: { id: string; fullName: string; post: string }[];
  totalDelegates: number;
  agenda: AgendaItem[];
  phase: Phase;
  startedAt: number | null;
  adjournedAt: number | null;
  /** The last journal record the model was derived from (0: nothing yet). */
  throughSeq: number;
  lastEventAt: number | null;
  /** Account ids that acted as chair and as secretary (names are the catalog's, filled in by the server). */
  actors: { chair: string[]; secretary: string[] };
  sittings: SittingRecord[];
  agendaRun: AgendaMove[];
  speeches: SpeechRecord[];
  polls: PollRecord[];
  groups: GroupRecord[];
  questions: QuestionRecord[];
  commitments: CommitmentRecord[];
  /** Speech requests left unheard when the item changed (they may submit their views in writing). */
  unheard: { delegateId: string; name: string; itemId: string | null }[];
  committee: (CommitteeMember & { name: string })[];
  approvals: MinutesApproval[];
}

interface Life {
  from: number;
  to: number;
}

/** Where derivation starts: the seq-0 snapshot the server froze (genesis), or a setup for a session never started. */
export type RecordOrigin = { genesis: PersistedSession } | { setup: SessionSetup };

export function deriveSessionRecord(origin: RecordOrigin, journal: readonly JournalEntry[]): SessionRecordModel {
  const actor = 'genesis' in origin ? restoreSession(origin.genesis) : startSession(origin.setup);
  const first = actor.getSnapshot().context;
  const sittingAt = new Map<number, number>(); // seq → sitting number after the event
  const closedSpans: (SeqSpan & { sitting: number })[] = [];
  const sittings = new Map<number, SittingRecord>();
  const speechLife = new Map<string, Life>();
  const pollLife = new Map<string, Life>();
  const groupLife = new Map<string, Life & { openedAt: number | null; closedAt: number | null; sitting: number | null }>();
  const questionLife = new Map<string, Life & { askedAt: number | null; answeredAt: number | null; sitting: number | null }>();
  const commitmentSeq = new Map<string, number>();
  const agendaRun: (Omit<AgendaMove, 'closed'> & { closed?: boolean })[] = [];
  const actors = { chair: new Set<string>(), secretary: new Set<string>() };
  let lastSeq = 0;
  let lastAt: number | null = null;

  const sittingOf = (ctx: SessionContext): SittingRecord => {
    let s = sittings.get(ctx.sitting.number);
    if (!s) {
      s = { number: ctx.sitting.number, title: ctx.sitting.title, startedAt: null, endedAt: null, recesses: [], closedParts: [], closedThroughout: false, attendance: [] };
      sittings.set(ctx.sitting.number, s);
    }
    return s;
  };
  const openSpan = () => closedSpans.find((c) => c.toSeq === null);
  /** Ends the closed part at this event (a new sitting or the adjournment ends it too). */
  const closeSpan = (event: MachineEvent, seq: number) => {
    const open = openSpan();
    if (!open) return;
    open.toSeq = seq;
    open.to = event.at;
  };
  const touch = (lives: Map<string, Life>, id: string, seq: number) => {
    const l = lives.get(id);
    if (l) l.to = seq;
    else lives.set(id, { from: seq, to: seq });
  };

  const step = (event: MachineEvent, seq: number, before: SessionContext, after: SessionContext) => {
    lastSeq = seq;
    lastAt = event.at;
    noteActor(actors, event.by);
    const sitting = sittingOf(after);
    sittingAt.set(seq, after.sitting.number);
    if (after.sitting.startedAt !== null && sitting.startedAt === null) sitting.startedAt = after.sitting.startedAt;

    switch (event.type) {
      case 'sitting.begin': {
        const ended = sittingOf(before);
        ended.endedAt = event.at;
        ended.attendance = attendanceOf(before);
        closeSpan(event, seq);
        sittingAt.set(seq, before.sitting.number);
        break;
      }
      case 'session.adjourn':
        sitting.endedAt = event.at;
        sitting.attendance = attendanceOf(after);
        closeSpan(event, seq);
        break;
      case 'session.recess':
        sitting.recesses.push({ from: event.at, to: null });
        break;
      case 'session.resume': {
        const open = sitting.recesses.at(-1);
        if (open && open.to === null) open.to = event.at;
        break;
      }
      case 'sitting.setClosed':
        if (event.closed && !openSpan()) closedSpans.push({ fromSeq: seq, toSeq: null, from: event.at, to: null, sitting: after.sitting.number });
        // The event that reopens the doors is itself still inside the closed part.
        if (!event.closed) closeSpan(event, seq);
        break;
      case 'agenda.goTo':
        agendaRun.push({ ...agendaEntry(after, event.itemId), at: event.at, seq, sitting: after.sitting.number });
        break;
      case 'session.start':
        // The item the sitting opens on is the first one run (later moves are agenda.goTo).
        if (after.currentItemId && !agendaRun.some((m) => m.sitting === after.sitting.number)) {
          agendaRun.push({ ...agendaEntry(after, after.currentItemId), at: event.at, seq, sitting: after.sitting.number });
        }
        break;
    }

    const cur = after.floor.current;
    if (cur) touch(speechLife, cur.speechId, seq);
    const ended = before.floor.current;
    if (ended && ended.speechId !== cur?.speechId) touch(speechLife, ended.speechId, seq);

    for (const p of after.polls) {
      const prev = before.polls.find((x) => x.pollId === p.pollId);
      if (!prev || prev.status !== p.status || p.status === 'open') touch(pollLife, p.pollId, seq);
    }
    for (const g of after.questioning.groups) {
      const prev = before.questioning.groups.find((x) => x.groupId === g.groupId);
      if (prev?.status === g.status) continue;
      const life = groupLife.get(g.groupId) ?? { from: seq, to: seq, openedAt: null, closedAt: null, sitting: null };
      life.to = seq;
      if (g.status === 'active') Object.assign(life, { from: seq, openedAt: event.at, sitting: after.sitting.number });
      if (g.status === 'done') life.closedAt = event.at;
      groupLife.set(g.groupId, life);
    }
    for (const q of after.questioning.questions) {
      const prev = before.questioning.questions.find((x) => x.questionId === q.questionId);
      if (prev?.status === q.status && prev.debated === q.debated) continue;
      const life = questionLife.get(q.questionId) ?? { from: seq, to: seq, askedAt: null, answeredAt: null, sitting: null };
      // A question's public life starts when it is put in the hall; before that it is a form on file.
      if (q.status === 'asked') Object.assign(life, { from: seq, askedAt: event.at, sitting: after.sitting.number });
      // Passed to a written answer without being put: it belongs to the sitting (and part) that passed it on.
      if (q.status === 'writtenPending' && life.askedAt === null) Object.assign(life, { from: seq, sitting: after.sitting.number });
      if (q.status === 'answered' && prev?.status !== 'answered') life.answeredAt = event.at;
      life.to = seq;
      questionLife.set(q.questionId, life);
    }
    for (const c of after.questioning.commitments) if (!commitmentSeq.has(c.commitmentId)) commitmentSeq.set(c.commitmentId, seq);
  };

  replay(actor, journal.map((r) => r.event), journal[0]?.seq ?? 1, step);
  const snapshot = actor.getSnapshot();
  const ctx = snapshot.context;
  actor.stop();

  const closedAt = (life: Life | undefined) => life !== undefined && closedSpans.some((c) => life.to >= c.fromSeq && (c.toSeq === null || life.from <= c.toSeq));
  const sittingOfSeq = (seq: number | undefined) => (seq === undefined ? ctx.sitting.number : (sittingAt.get(seq) ?? ctx.sitting.number));

  // The current sitting's attendance is the live one until it ends.
  const current = sittings.get(ctx.sitting.number);
  if (current && current.endedAt === null) current.attendance = attendanceOf(ctx);
  for (const span of closedSpans) sittings.get(span.sitting)?.closedParts.push({ fromSeq: span.fromSeq, toSeq: span.toSeq, from: span.from, to: span.to });
  for (const s of sittings.values()) {
    const seqs = [...sittingAt.entries()].filter(([, n]) => n === s.number).map(([seq]) => seq);
    s.closedThroughout = seqs.length > 0 && seqs.every((seq) => closedAt({ from: seq, to: seq }));
  }

  const delegate = (id: string) => ctx.council.delegates.find((d) => d.id === id);
  const official = (id: string) => ctx.council.officials.find((o) => o.id === id);
  const seatOrder = new Map(ctx.council.delegates.map((d, i) => [d.id, i]));

  const speeches: SpeechRecord[] = [...ctx.floor.log, ...(ctx.floor.current ? [ctx.floor.current] : [])].map((s) => {
    const who = speakerOf(ctx, s.speaker);
    const allowedSec = s.limitSec + s.extendedSec;
    const durationSec = s.endedAt === undefined ? null : Math.round((s.endedAt - s.startedAt) / 1000);
    const life = speechLife.get(s.speechId);
    return {
      speechId: s.speechId,
      sitting: sittingOfSeq(life?.from),
      closed: closedAt(life),
      speakerKind: s.speaker.kind,
      speakerId: s.speaker.kind === 'guest' ? null : s.speaker.id,
      name: who.name,
      role: who.role,
      purpose: s.purpose,
      itemId: s.itemId,
      questionId: s.questionId ?? null,
      startedAt: s.startedAt,
      endedAt: s.endedAt ?? null,
      allowedSec,
      durationSec,
      overrunSec: durationSec === null ? 0 : Math.max(0, durationSec - allowedSec),
    };
  });

  const polls: PollRecord[] = ctx.polls.map((p) => {
    const life = pollLife.get(p.pollId);
    const announced = p.status === 'announced';
    // A secret ballot's counts are shown to nobody before the announcement (the chair included).
    const resultKnown = announced || (p.status === 'counted' && p.mode !== 'secret');
    const named =
      p.mode === 'electronic' && announced
        ? Object.entries(p.choices)
            .map(([id, choice]) => ({ delegateId: id, name: delegate(id)?.fullName ?? id, group: delegate(id)?.group ?? '', choice }))
            .sort((a, b) => (seatOrder.get(a.delegateId) ?? 0) - (seatOrder.get(b.delegateId) ?? 0))
        : [];
    return {
      pollId: p.pollId,
      sitting: sittingOfSeq(life?.from),
      closed: closedAt(life),
      itemId: p.itemId,
      subject: p.subject,
      kind: p.kind,
      mode: p.mode,
      rule: p.rule,
      round: p.round,
      revoteOf: p.revoteOf,
      revoteReason: p.revoteReason,
      status: p.status,
      openedAt: p.openedAt,
      closedAt: p.closedAt,
      announcedAt: p.announcedAt,
      cancelReason: p.cancelReason,
      totalDelegates: p.totalDelegates,
      castCount: p.castBy.length,
      voters: [...p.castBy].sort((a, b) => (seatOrder.get(a) ?? 0) - (seatOrder.get(b) ?? 0) || (a < b ? -1 : 1)),
      presentAtClose: p.presentAtClose,
      officials: p.officialIds.map((id) => ({ id, name: official(id)?.fullName ?? id, post: official(id)?.post ?? '' })),
      candidates: p.candidates,
      seats: p.seats,
      result: resultKnown ? resultOf(ctx, p) : null,
      announced,
      named,
    };
  });

  const groups: GroupRecord[] = ctx.questioning.groups.map((g) => {
    const life = groupLife.get(g.groupId);
    return {
      groupId: g.groupId,
      topic: g.topic,
      respondents: g.respondentIds.map((id) => ({ id, name: official(id)?.fullName ?? id, post: official(id)?.post ?? '' })),
      openedAt: life?.openedAt ?? null,
      closedAt: life?.closedAt ?? null,
      sitting: life?.sitting ?? null,
      closed: closedAt(life),
    };
  });

  const questions: QuestionRecord[] = ctx.questioning.questions.map((q) => {
    const life = questionLife.get(q.questionId);
    return {
      questionId: q.questionId,
      askerId: q.delegateId,
      asker: delegate(q.delegateId)?.fullName ?? q.delegateId,
      respondentId: q.respondentId,
      respondent: official(q.respondentId)?.fullName ?? q.respondentId,
      respondentPost: official(q.respondentId)?.post ?? '',
      groupId: q.groupId,
      text: q.text,
      status: q.status,
      submittedAt: q.at,
      askedAt: life?.askedAt ?? null,
      answeredAt: life?.answeredAt ?? null,
      sitting: life?.sitting ?? null,
      closed: closedAt(life),
      writtenDueAt: q.writtenDueAt ?? null,
      writtenAnswer: q.writtenAnswer ? { at: q.writtenAnswer.at, ...(q.writtenAnswer.note ? { note: q.writtenAnswer.note } : {}), ...(q.writtenAnswer.evidence ? { evidence: q.writtenAnswer.evidence } : {}) } : null,
    };
  });

  const commitments: CommitmentRecord[] = ctx.questioning.commitments.map((c) => {
    const seq = commitmentSeq.get(c.commitmentId);
    return {
      commitmentId: c.commitmentId,
      sessionId: ctx.sessionId,
      respondentId: c.respondentId,
      respondent: official(c.respondentId)?.fullName ?? c.respondentId,
      respondentPost: official(c.respondentId)?.post ?? '',
      questionId: c.questionId ?? null,
      content: c.content,
      deadline: c.deadline ?? null,
      reportAt: c.reportAt ?? null,
      at: c.at,
      sitting: sittingOfSeq(seq),
      closed: seq !== undefined && closedAt({ from: seq, to: seq }),
      updates: c.updates ?? [],
    };
  });

  const paperwork = paperworkOf(ctx);
  return {
    sessionId: ctx.sessionId,
    title: ctx.title,
    council: { id: ctx.council.id, name: ctx.council.name, level: ctx.council.level, term: ctx.council.term },
    delegates: ctx.council.delegates.filter((d) => d.status === 'sitting').map((d) => ({ id: d.id, fullName: d.fullName, group: d.group, seat: d.seat })),
    officials: ctx.council.officials.map((o) => ({ id: o.id, fullName: o.fullName, post: o.post })),
    totalDelegates: ctx.council.delegates.filter((d) => d.status === 'sitting').length,
    agenda: first.agenda,
    phase: phaseOf(snapshot),
    startedAt: ctx.startedAt,
    adjournedAt: ctx.adjournedAt,
    throughSeq: lastSeq,
    lastEventAt: lastAt,
    actors: { chair: [...actors.chair], secretary: [...actors.secretary] },
    sittings: [...sittings.values()].filter((s) => s.startedAt !== null || s.number === ctx.sitting.number).sort((a, b) => a.number - b.number),
    agendaRun: agendaRun.map((m) => ({ ...m, closed: closedAt({ from: m.seq, to: m.seq }) })),
    speeches,
    polls,
    groups,
    questions,
    commitments,
    unheard: ctx.floor.unheard.map((r) => ({ delegateId: r.delegateId, name: delegate(r.delegateId)?.fullName ?? r.delegateId, itemId: r.itemId })),
    committee: paperwork.committee.map((m) => ({ ...m, name: delegate(m.delegateId)?.fullName ?? m.delegateId })),
    approvals: paperwork.approvals,
  };
}

function noteActor(actors: { chair: Set<string>; secretary: Set<string> }, by: Actor) {
  if (by.role === 'chair') actors.chair.add(by.id);
  if (by.role === 'secretary') actors.secretary.add(by.id);
}

function agendaEntry(ctx: SessionContext, itemId: string) {
  const item = ctx.agenda.find((i) => i.id === itemId);
  return { itemId, title: item?.title ?? itemId, kind: item?.kind ?? ('other' as const) };
}

const attendanceOf = (ctx: SessionContext): AttendanceRecord[] => rollView(ctx);

function speakerOf(ctx: SessionContext, ref: SpeakerRef): { name: string; role: string } {
  if (ref.kind === 'delegate') {
    const d = ctx.council.delegates.find((x) => x.id === ref.id);
    return { name: d?.fullName ?? ref.id, role: d?.group ?? '' };
  }
  if (ref.kind === 'official') {
    const o = ctx.council.officials.find((x) => x.id === ref.id);
    return { name: o?.fullName ?? ref.id, role: o?.post ?? '' };
  }
  return { name: ref.name, role: ref.title ?? '' };
}
