/**
 * What the edges (server runtime, clients) need around the pure machine: turning a command into an event, asking
 * whether it is allowed and why not, persisting and restoring snapshots, replaying a journal, and listing the
 * deadlines the server's scheduler must arm. Nothing here performs I/O or reads a clock.
 */
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import { SessionSetup } from '../model.ts';
import type { Actor as EventActor, BallotChoice, Command, MachineEvent } from '../protocol/commands.ts';
import { parseMachineEvent } from '../protocol/commands.ts';
import { Refusal, type Verdict } from '../protocol/errors.ts';
import type { Poll, SessionContext } from './context.ts';
import { tallySealedBallots } from './secret-tally.ts';
import { isCommitteePoll } from './committee-poll.ts';
import type { EncryptedBallot } from '../ballot-crypto/index.ts';
import { ballotProblem, findPoll, isForbidden, refusal } from './guards.ts';
import { MACHINE_VERSION, sessionMachine, type SessionMachine } from './session.machine.ts';

export type SessionSnapshot = SnapshotFrom<SessionMachine>;
export type SessionActor = Actor<SessionMachine>;

export interface PersistedSession {
  machineVersion: number;
  seq: number;
  snapshot: unknown;
}

/** The machine's verdict on an event in a snapshot, with the reason a person reads. */
export function explain(snapshot: SessionSnapshot, event: MachineEvent): Verdict {
  const reason = refusal(snapshot.context, event);
  if (reason) return { ok: false, code: isForbidden(reason) ? 'FORBIDDEN' : 'REJECTED', reason, message: Refusal[reason].vi };
  if (!snapshot.can(event)) return { ok: false, code: 'REJECTED', reason: 'WRONG_STATE', message: Refusal.WRONG_STATE.vi };
  return { ok: true };
}

export interface PreparedCommand {
  event: MachineEvent;
  /** The content of a secret ballot, to be sealed in the ballot box; never part of the event, the journal or a view. */
  sealedChoice?: BallotChoice;
  /** A committee poll's encrypted ballot: its proofs are checked by the server, then it goes in the box like a sealed one. */
  encryptedBallot?: EncryptedBallot;
}

/**
 * Questions one delegate may submit in a session, withdrawn ones included: far above any sitting's practice (a few
 * each), and a bound on what one tablet — faulty or hostile, at its command allowance — can add to the state every
 * view of the hall carries. Checked when a command comes in, not on replay: a journal is judged by the rules it was
 * written under.
 */
export const QUESTIONS_PER_DELEGATE = 30;

const questionsOf = (ctx: SessionContext, delegateId: string) => ctx.questioning.questions.reduce((n, q) => (q.delegateId === delegateId ? n + 1 : n), 0);

/**
 * Stamps a validated command into a machine event. A secret ballot's choice is split off here so that it can never
 * reach the journal; it is checked against its poll first so the box only ever holds valid ballots.
 */
export function prepareCommand(snapshot: SessionSnapshot, command: Command, by: EventActor, at: number): PreparedCommand | Verdict {
  if (command.type === 'ballot.castEncrypted') {
    // Journaled as the same content-less `ballot.cast` as a sealed ballot: the record says who cast, never what.
    const poll = findPoll(snapshot.context, command.payload.pollId);
    if (poll && !isCommitteePoll(poll)) return { ok: false, code: 'REJECTED', reason: 'NOT_COMMITTEE_POLL', message: Refusal.NOT_COMMITTEE_POLL.vi };
    return { event: { type: 'ballot.cast', pollId: command.payload.pollId, at, by }, encryptedBallot: command.payload.ballot as EncryptedBallot };
  }
  const event = { ...(command.payload as object), type: command.type, at, by } as MachineEvent;
  if (event.type === 'committee.decrypt' && event.counts !== undefined) {
    // The counts come only from the server's combination of verified shares.
    return { ok: false, code: 'REJECTED', reason: 'BAD_COUNTS', message: Refusal.BAD_COUNTS.vi };
  }
  if (event.type === 'ballot.cast') {
    const poll = findPoll(snapshot.context, event.pollId);
    // A committee poll's ballot is encrypted on the tablet; a plain choice would reach the server readable.
    if (isCommitteePoll(poll) && event.choice !== undefined) return { ok: false, code: 'REJECTED', reason: 'BAD_BALLOT', message: Refusal.BAD_BALLOT.vi };
    if (poll?.mode === 'secret' && event.choice !== undefined) {
      const problem = ballotProblem(poll, event.choice);
      if (problem) return { ok: false, code: 'REJECTED', reason: problem, message: Refusal[problem].vi };
      const { choice, ...withoutChoice } = event;
      return { event: withoutChoice, sealedChoice: choice };
    }
  }
  if (event.type === 'question.submit' && questionsOf(snapshot.context, by.id) >= QUESTIONS_PER_DELEGATE) {
    return { ok: false, code: 'REJECTED', reason: 'QUESTION_LIMIT', message: Refusal.QUESTION_LIMIT.vi };
  }
  if (event.type === 'poll.close') {
    const poll = findPoll(snapshot.context, event.pollId);
    // Secret e-ballot totals come only from the server's count of the sealed box, never from a client.
    if (poll?.mode === 'secret' && event.counts !== undefined) {
      return { ok: false, code: 'REJECTED', reason: 'BAD_COUNTS', message: Refusal.BAD_COUNTS.vi };
    }
  }
  return { event };
}

/**
 * The verdict a client shows before sending a command: the same as the server's, except that closing a secret
 * e-ballot is judged as the server will see it — with the counts it takes from the sealed box, which a client never
 * has. Those stand-in counts agree with the eligibility records, so every other rule still applies.
 */
export function explainCommand(snapshot: SessionSnapshot, command: Command, by: EventActor, at: number): Verdict {
  const prepared = prepareCommand(snapshot, command, by, at);
  if (isVerdict(prepared)) return prepared;
  const event = prepared.event;
  if (event.type === 'poll.close' && event.counts === undefined) {
    const poll = findPoll(snapshot.context, event.pollId);
    if (poll?.mode === 'secret' && poll.status === 'open' && !isCommitteePoll(poll)) {
      const standIn = poll.castBy.map(() => standInBallot(poll));
      return explain(snapshot, { ...event, counts: tallySealedBallots(poll, standIn, poll.castBy.length) });
    }
  }
  return explain(snapshot, event);
}

function standInBallot(poll: Poll): BallotChoice {
  switch (poll.kind) {
    case 'motion':
      return 'abstain';
    case 'confidenceRating':
    case 'confidenceVote':
      return Object.fromEntries(poll.officialIds.map((id) => [id, 'confidence'])) as BallotChoice;
    case 'election':
      return [];
  }
}

export function isVerdict(x: PreparedCommand | Verdict): x is Verdict {
  return 'ok' in x;
}

export function startSession(setup: SessionSetup): SessionActor {
  return createActor(sessionMachine, { input: SessionSetup.parse(setup) }).start();
}

export function persist(actor: SessionActor, seq: number): PersistedSession {
  return { machineVersion: MACHINE_VERSION, seq, snapshot: actor.getPersistedSnapshot() };
}

export class SnapshotVersionError extends Error {
  constructor(readonly found: unknown) {
    super(`persisted snapshot has machine version ${String(found)}, this build runs ${MACHINE_VERSION}`);
  }
}

/** Restores an actor from a stored snapshot. Stored data is untrusted: a wrong version or shape is refused, not guessed at. */
export function restoreSession(persisted: PersistedSession): SessionActor {
  if (persisted.machineVersion !== MACHINE_VERSION) throw new SnapshotVersionError(persisted.machineVersion);
  const snap = persisted.snapshot as { status?: unknown; value?: unknown; context?: { sessionId?: unknown } } | null;
  if (!snap || snap.status !== 'active' || snap.value === undefined || typeof snap.context?.sessionId !== 'string') {
    throw new Error('persisted snapshot is not a session snapshot');
  }
  // `input` only seeds a fresh actor; a restored one takes everything from the snapshot.
  return createActor(sessionMachine, { snapshot: persisted.snapshot as SessionSnapshot, input: undefined as never }).start();
}

export class ReplayError extends Error {}

/**
 * Replays journaled events onto an actor. Each event was allowed when it was journaled, so a refusal here means the
 * journal and the machine disagree (tampering, or a machine change without a version bump): stop loudly.
 */
export function replay(actor: SessionActor, events: Iterable<unknown>, firstSeq = 1, onStep?: ReplayStep): SessionActor {
  let seq = firstSeq;
  for (const raw of events) {
    const event = parseMachineEvent(raw);
    if (!event) throw new ReplayError(`journal record ${seq} is not a valid event`);
    const before = actor.getSnapshot();
    const verdict = explain(before, event);
    if (!verdict.ok) throw new ReplayError(`journal record ${seq} (${event.type}) is refused on replay: ${verdict.reason}`);
    actor.send(event);
    onStep?.(event, seq, before.context, actor.getSnapshot().context);
    seq++;
  }
  return actor;
}

/** Called after each replayed event with the context before and after it (the records are derived this way). */
export type ReplayStep = (event: MachineEvent, seq: number, before: SessionContext, after: SessionContext) => void;

export type Deadline =
  | { key: string; at: number; event: { type: 'floor.timeUp'; speechId: string; dueAt: number } }
  | { key: string; at: number; event: { type: 'poll.deadline'; pollId: string } };

/** Deadlines the scheduler must arm for this context; re-derived after every event and after a restart. */
export function pendingDeadlines(ctx: SessionContext): Deadline[] {
  const out: Deadline[] = [];
  const s = ctx.floor.current;
  if (s && !s.overtime) {
    const dueAt = s.startedAt + (s.limitSec + s.extendedSec) * 1000;
    out.push({ key: `speech:${s.speechId}`, at: dueAt, event: { type: 'floor.timeUp', speechId: s.speechId, dueAt } });
  }
  for (const p of ctx.polls) {
    if (p.status === 'open' && p.closesAt !== null) {
      out.push({ key: `poll:${p.pollId}`, at: p.closesAt, event: { type: 'poll.deadline', pollId: p.pollId } });
    }
  }
  return out;
}

export const SYSTEM_ACTOR: EventActor = { role: 'system', id: 'scheduler' };
