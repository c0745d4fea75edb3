/**
 * One live session: the authoritative actor, its journal, its sealed ballot boxes and its deadlines. Commands are
 * applied strictly one at a time (a per-session queue), so the journal's order is the machine's order.
 *
 * The command path (docs/architecture.md) from step 3 on: dedupe by (caller, commandId), refusing a reused id whose content
 * differs → settle any secret poll whose last write failed → prepare (split off a secret ballot's content) →
 * explain/can → journal.append (durable, fenced by this room's lease token) → actor.send → put a secret ballot's
 * content in its box → ack. Nothing is acknowledged before it is durable, nothing reaches the actor before it is
 * journaled, and an ack always names this caller's own record.
 *
 * Outcomes when a write fails:
 *  - refused by the store before writing (fenced: another node owns the session; conflict) → UNAVAILABLE, and the
 *    room is dropped (`lostLease` / `needsReopen`);
 *  - errored, and the journal's tail shows our record (checked by its content, not by its seq) → it landed: ack ok;
 *  - errored, and the tail is where it was → not recorded: UNAVAILABLE;
 *  - errored, and the tail cannot be read → OUTCOME_UNKNOWN: the room is dropped and reopened from the journal, and
 *    the client's retry with the same commandId gets the definitive answer (the original ack, or a fresh attempt).
 *  - a secret ballot's eligibility was journaled but its content did not reach the box → OUTCOME_UNKNOWN; before the
 *    poll is touched again the room reconciles the box with the journal and either keeps the cast (the retry gets its
 *    ack) or journals `ballot.retract` (the retry casts afresh). Secret ballots that waited together are one append
 *    and then one box write, so this holds for the whole group: all kept or all retracted.
 */
import { createHash } from 'node:crypto';
import {
  explain,
  findPoll,
  personalOf,
  personalParts,
  isVerdict,
  pendingDeadlines,
  phaseOf,
  persist,
  prepareCommand,
  replay,
  restoreSession,
  startSession,
  tallySealedBallots,
  tooFewSecretBallots,
  presentCounts,
  SYSTEM_ACTOR,
  type Actor,
  type Command,
  type CommandAck,
  type MachineEvent,
  type SessionActor,
  type SessionSetup,
  type SessionSnapshot,
  type Deadline,
  type PersistedSession,
  errorMessages,
  isCommitteePoll,
  Refusal,
  type RefusalReason,
} from '@hall/core';
import { BallotCryptoError, type EncryptedBallot } from '@hall/core/ballot-crypto';
import { boardOf, checkBallot, checkCommitment, checkShareComplaint, countWithShare, type CommitteeBoard } from '../ballots/committee.ts';
import { canonicalJson, chainHash, GENESIS_HASH } from '../store/chain.ts';
import { StoreConflictError, StoreFencedError, StoreUnavailableError, type Fence, type Journal, type JournalRecord, type Json, type JournalInput } from '../store/types.ts';
import type { SecretBallots } from '../ballots/secret-ballots.ts';

export interface RoomDeps {
  journal: Journal;
  ballots: SecretBallots;
  /** Server time in ms; injected so tests can drive deadlines. */
  now: () => number;
  snapshotEvery: number;
  /** Called after every applied event; the broadcaster coalesces and projects views. */
  onChange: (room: SessionRoom) => void;
  /** Keeps the catalog's session status in step: live at the first accepted command, adjourned at the end. */
  onStatus?: (sessionId: string, status: 'live' | 'adjourned') => Promise<void>;
  log: { info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void };
  timers?: { set: (fn: () => void, ms: number) => unknown; clear: (handle: unknown) => void };
  /**
   * The room can no longer be sure it matches the journal (an outcome it could not learn, a journal that moved): the
   * registry replaces it with one reopened from the journal, so deadlines keep firing without waiting for a client.
   */
  onNeedsReopen?: (room: SessionRoom) => void;
}

/** Remembered acks for retried commands; bounded so a long session cannot grow it without limit. */
const ACK_MEMORY = 20_000;

type OkAck = Extract<CommandAck, { ok: true }>;
interface Remembered {
  ack: OkAck;
  /** Undefined for records journaled before digests existed: their retries are trusted as before. */
  digest: string | undefined;
}

/** Only a delegate has an own part, and only a caller that asked gets it in the ack. */
const wantsOwnPart = (ownPart: boolean, by: Actor) => ownPart && by.role === 'delegate';

interface PendingBallot {
  command: Command;
  by: Actor;
  ownPart: boolean;
  resolve: (ack: CommandAck) => void;
  reject: (err: unknown) => void;
}

/** Events journaled in order from `fromSeq`, as the journal holds them (a secret ballot's without its choice). */
export interface ReplicaTail {
  fromSeq: number;
  events: unknown[];
}
/** More events than this between two publications (a long stall) go to the other nodes as a whole state instead. */
const REPLICA_TAIL_MAX = 2000;

/** Secret casts journaled (one append) whose contents' box write failed: settled before the poll is touched again. */
interface UnsettledCasts {
  /** How many of the poll's last journaled casts the box may lack: the last append's (see reconcileBallotBoxes). */
  lastGroup: number;
  /** Their acks, answerable once the box is found to hold them (none after a restart: the journal remembers them). */
  casts: { ackKey: string; ack: OkAck; digest: string | undefined; delegateId: string }[];
}

/** Dedupe is per caller: another caller reusing the id is a different command, never "a duplicate" of this one. */
const ackKeyOf = (by: Actor, commandId: string) => `${by.role}\u0000${by.id}\u0000${commandId}`;

/**
 * What a commandId stands for: the command's type and payload, as parsed. A secret ballot's choice is left out — no
 * store may hold anything derived from it next to the voter's name — so a retry of a secret ballot matches on its
 * poll alone (a secret ballot is final anyway).
 */
export function commandDigest(type: string, payload: unknown, secretBallot: boolean): string {
  const content = secretBallot ? { pollId: (payload as { pollId?: unknown }).pollId } : payload;
  return createHash('sha256').update(canonicalJson({ type, payload: content })).digest('base64url');
}

const sameRecord = (a: Pick<JournalRecord, 'at' | 'commandId' | 'digest' | 'event'>, b: JournalInput) =>
  canonicalJson({ at: a.at, commandId: a.commandId, digest: a.digest, event: a.event }) ===
  canonicalJson({ at: b.at, commandId: b.commandId, digest: b.digest, event: b.event });

export class SessionRoom {
  private actor: SessionActor;
  private lastSeq: number;
  /** Hash of the last journal record, so that snapshots name the record they follow (restores verify it). */
  private lastHash: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly acks = new Map<string, Remembered>();
  /** For each secret poll, the ack key of each delegate's cast: a retracted cast's ack must be forgotten. */
  private readonly castAcks = new Map<string, string>();
  /** Secret polls whose last append's contents may be missing from the box, with those casts' acks. */
  private readonly unsettled = new Map<string, UnsettledCasts>();
  private readonly timers = new Map<string, { at: number; handle: unknown }>();
  private closed = false;
  private sinceSnapshot = 0;
  private snapshotting: Promise<boolean> | null = null;
  /** Tasks queued or running in this room (commands, deadlines, settling): a room with any is not retirable. */
  private inFlight = 0;
  /** Journal events replayed when the room was opened (the tail after the stored snapshot). */
  replayedAtOpen = 0;
  /** Set when a write was fenced off: another node took the session over and this room must be dropped. */
  lostLease = false;
  /** Set when this room can no longer be sure it matches the journal: it must be dropped and the session reopened. */
  needsReopen = false;
  /** Ballots waiting for their turn together (submitBallot); null once that group's turn has come. */
  private ballotGroup: PendingBallot[] | null = null;
  /** Events journaled since the owner last told the other nodes (takeReplicaTail); null: they need the whole state. */
  private replicaTail: ReplicaTail | null = null;
  /** Set while the session has never accepted a command: its setup is re-read from the catalog until then. */
  private unfrozenSetup: (() => Promise<SessionSetup>) | null = null;

  private constructor(
    readonly sessionId: string,
    actor: SessionActor,
    seq: number,
    hash: string,
    private readonly deps: RoomDeps,
    /** The lease token every write of this room carries (several nodes); null on one node. */
    readonly fence: string | null,
  ) {
    this.actor = actor;
    this.lastSeq = seq;
    this.lastHash = hash;
  }

  /**
   * Opens a session: restores the latest snapshot (when the journal vouches for it) and replays the journal's tail,
   * or — first time — starts from the catalog's setup, which is frozen into a seq-0 snapshot by the first command.
   */
  static async open(sessionId: string, setup: () => Promise<SessionSetup>, deps: RoomDeps, fence: string | null = null): Promise<SessionRoom> {
    const [latest, all] = await Promise.all([deps.journal.loadSnapshot(sessionId), deps.journal.read(sessionId, 1)]);
    if (!latest && all.length === 0) {
      // Not frozen yet: the catalog's agenda may still change, so nothing is persisted until the first command.
      const room = new SessionRoom(sessionId, startSession(await setup()), 0, GENESIS_HASH, deps, fence);
      room.unfrozenSetup = setup;
      return room;
    }
    const base = await SessionRoom.trustedBase(sessionId, latest, all, deps);
    const actor = restoreSession(base);
    const tail = all.filter((r) => r.seq > base.seq);
    replay(actor, tail.map((r) => r.event), base.seq + 1);
    const last = all.at(-1);
    const room = new SessionRoom(sessionId, actor, last?.seq ?? 0, last?.hash ?? GENESIS_HASH, deps, fence);
    room.replayedAtOpen = tail.length;
    // The replayed tail counts towards the next snapshot, as if its events had just been applied.
    room.sinceSnapshot = tail.length;
    room.rememberJournaledAcks(all);
    await room.reconcileBallotBoxes(all);
    room.armDeadlines();
    return room;
  }

  /**
   * The snapshot to replay onto: the latest one when the journal vouches for it (its record `seq` exists and has the
   * hash it names), else the genesis (seq 0) and the whole journal. A snapshot the journal does not vouch for may have
   * been written by a node that had lost the session; the journal is the legal record and always wins.
   */
  private static async trustedBase(sessionId: string, latest: PersistedSession | null, all: JournalRecord[], deps: RoomDeps): Promise<PersistedSession> {
    const lastSeq = all.at(-1)?.seq ?? 0;
    if (latest) {
      const hash = (latest as { hash?: string }).hash;
      if (latest.seq === 0) return latest;
      if (latest.seq <= lastSeq && hash !== undefined && all[latest.seq - 1]?.hash === hash) return latest;
      deps.log.warn({ sessionId, snapshotSeq: latest.seq, journalSeq: lastSeq }, 'the latest snapshot does not match the journal; replaying the journal from its genesis');
    }
    const genesis = await deps.journal.loadGenesis(sessionId);
    if (genesis && genesis.seq === 0) return genesis;
    // Written before genesis snapshots were kept: an unverifiable (hash-less) latest snapshot is all there is.
    if (latest && (latest as { hash?: string }).hash === undefined && latest.seq <= lastSeq) {
      deps.log.warn({ sessionId, snapshotSeq: latest.seq }, 'no genesis snapshot: restoring from a snapshot written before snapshots named their journal record');
      return latest;
    }
    throw new Error(`session ${sessionId}: no snapshot the journal vouches for, and no genesis snapshot to replay the journal onto`);
  }

  /** Acks of journaled commands survive a restart: a client retrying after a crash gets the original seq. */
  private rememberJournaledAcks(all: JournalRecord[]) {
    for (const r of all.slice(-ACK_MEMORY)) {
      const event = r.event as { type?: string; by?: Actor; pollId?: string; delegateId?: string };
      if (r.commandId && event.by) {
        const key = ackKeyOf(event.by, r.commandId);
        this.rememberAck(key, { ok: true, seq: r.seq }, r.digest);
        if (event.type === 'ballot.cast' && event.pollId) this.castAcks.set(`${event.pollId}\u0000${event.by.id}`, key);
      } else if (event.type === 'ballot.retract' && event.pollId && event.delegateId) {
        this.forgetCastAck(event.pollId, event.delegateId);
      }
    }
  }

  get snapshot(): SessionSnapshot {
    return this.actor.getSnapshot();
  }

  get seq(): number {
    return this.lastSeq;
  }

  /** The current state as a versioned persisted snapshot (what other nodes restore their read-only replicas from). */
  persisted(): PersistedSession {
    return persist(this.actor, this.lastSeq);
  }

  /**
   * The events this room journaled since the last call, for the other nodes' replicas (they replay them, as a reopen
   * replays the journal): a few hundred bytes a ballot instead of the whole state. Null when they cannot be told
   * that way — the first call after this room opened, or after more than REPLICA_TAIL_MAX events — and the other
   * nodes need `persisted()`.
   */
  takeReplicaTail(): ReplicaTail | null {
    const tail = this.replicaTail;
    this.replicaTail = { fromSeq: this.lastSeq + 1, events: [] };
    return tail;
  }

  /**
   * Submits a validated, authorized command. Resolves with the ack to send. `ownPart`: a delegate's ok ack carries
   * their own part of the state it left (CommandAck.personal), projected here, in the command's turn, so no later
   * command can slip in between the state acknowledged and the part.
   */
  submit(command: Command, by: Actor, ownPart = false): Promise<CommandAck> {
    if (command.type === 'ballot.cast' || command.type === 'ballot.castEncrypted') return this.submitBallot(command, by, ownPart);
    return this.enqueue(async () => this.withOwnPart(await this.processCommand(command, by), by, ownPart));
  }

  /** The ack with the delegate's own part of the current state, when asked for and the command was accepted. */
  private withOwnPart(ack: CommandAck, by: Actor, ownPart: boolean): CommandAck {
    if (!ack.ok || !wantsOwnPart(ownPart, by)) return ack;
    return { ...ack, personal: personalOf(this.snapshot, this.lastSeq, by.id) };
  }

  /** A client's command, prepared by the machine's own rules (one at a time: submit, and a ballot that goes alone). */
  private processCommand(command: Command, by: Actor): Promise<CommandAck> {
    return this.process(command.commandId, by, command, (snap, at) => prepareCommand(snap, command, by, at));
  }

  /**
   * Ballots queue up in groups: every ballot that arrives while the room is busy joins the group waiting its turn,
   * and the group is journaled with as few appends as it allows (processBallots). A backlog — after a failover, 85
   * delegates' ballots at once — then costs a few round trips and fsyncs instead of one per ballot.
   */
  private submitBallot(command: Command, by: Actor, ownPart: boolean): Promise<CommandAck> {
    return new Promise<CommandAck>((resolve, reject) => {
      const pending: PendingBallot = { command, by, ownPart, resolve, reject };
      if (this.ballotGroup) {
        this.ballotGroup.push(pending);
        return;
      }
      const group = [pending];
      void this.enqueue(async () => {
        if (this.ballotGroup === group) this.ballotGroup = null;
        try {
          await this.processBallots(group);
        } catch (err) {
          for (const p of group) p.reject(err);
        }
      });
      this.ballotGroup = group;
    });
  }

  /**
   * Runs a group of ballots in arrival order. A run of ballots of one kind in one open poll, one per delegate, shares
   * one append (and, secret, one box write): each is judged against the state before the run, which is the state it
   * would meet in its turn (a ballot of one delegate neither allows nor forbids another's). Anything else — a
   * delegate's second ballot in the group, a ballot after another kind of command — goes one at a time as before.
   */
  private async processBallots(group: PendingBallot[]) {
    let i = 0;
    while (i < group.length) {
      const run = this.runFrom(group, i);
      if (run.length === 1) {
        const { command, by, ownPart, resolve } = group[i]!;
        resolve(this.withOwnPart(await this.processCommand(command, by), by, ownPart));
      } else {
        await this.processRun(run);
      }
      i += run.length;
    }
  }

  private runFrom(group: PendingBallot[], start: number): PendingBallot[] {
    const first = group[start]!;
    const pollId = (first.command.payload as { pollId?: unknown }).pollId;
    const poll = typeof pollId === 'string' ? findPoll(this.snapshot.context, pollId) : undefined;
    if (this.unfrozenSetup || (poll?.mode !== 'electronic' && poll?.mode !== 'secret') || poll.status !== 'open' || first.command.commandId === undefined) return [first];
    const run = [first];
    const voters = new Set([first.by.id]);
    for (let j = start + 1; j < group.length; j++) {
      const next = group[j]!;
      const other = next.command.type !== first.command.type || (next.command.payload as { pollId?: unknown }).pollId !== pollId;
      if (other || next.command.commandId === undefined || voters.has(next.by.id)) break;
      voters.add(next.by.id);
      run.push(next);
    }
    return run;
  }

  /**
   * One append for a run of independent ballots (runFrom); each caller gets the ack of its own record. A secret run's
   * contents then go in the box in one write, after the journal, as for a single cast (see the top of this file).
   */
  private async processRun(run: PendingBallot[]) {
    if (this.closed || this.lostLease || this.needsReopen) return run.forEach((p) => p.resolve(fail('UNAVAILABLE')));
    const unsettled = await this.settleOrFail();
    if (unsettled) return run.forEach((p) => p.resolve(unsettled));
    const at = Math.max(this.deps.now(), this.snapshot.context.lastEventAt);
    const pollId = (run[0]!.command.payload as { pollId: string }).pollId;
    // As in process: an encrypted ballot is secret whatever poll it names.
    const secret = findPoll(this.snapshot.context, pollId)?.mode === 'secret' || run[0]!.command.type === 'ballot.castEncrypted';
    const accepted: { pending: PendingBallot; ackKey: string; digest: string; event: MachineEvent; sealed: unknown }[] = [];
    for (const pending of run) {
      const { command, by } = pending;
      const ackKey = ackKeyOf(by, command.commandId!);
      const digest = commandDigest(command.type, command.payload, secret);
      const repeat = this.repeatOf(ackKey, digest);
      if (repeat) {
        pending.resolve(this.withOwnPart(repeat, by, pending.ownPart));
        continue;
      }
      const prepared = prepareCommand(this.snapshot, command, by, at);
      if (isVerdict(prepared)) {
        pending.resolve(prepared.ok ? fail('INTERNAL') : refused(prepared));
        continue;
      }
      // A committee ballot's proofs are checked before anything is journaled; one that fails is refused alone.
      const checked = prepared.encryptedBallot === undefined ? { event: prepared.event } : await this.checkCommittee(prepared.event, prepared.encryptedBallot);
      if ('ok' in checked) {
        pending.resolve(checked);
        continue;
      }
      const verdict = explain(this.snapshot, checked.event);
      if (!verdict.ok) {
        pending.resolve(refused(verdict));
        continue;
      }
      accepted.push({ pending, ackKey, digest, event: checked.event, sealed: prepared.sealedChoice ?? prepared.encryptedBallot });
    }
    if (accepted.length === 0) return;
    const written = await this.write(accepted.map(({ pending, digest, event }) => ({ at, event: event as unknown as Json, commandId: pending.command.commandId!, digest })));
    if (written !== 'written') return accepted.forEach(({ pending }) => pending.resolve(fail(written)));
    const firstSeq = this.lastSeq - accepted.length + 1;
    const casts = accepted.map(({ pending, ackKey, digest }, k) => ({ ackKey, ack: { ok: true, seq: firstSeq + k } as OkAck, digest, delegateId: pending.by.id }));
    if (secret) {
      try {
        await this.deps.ballots.addAll(pollKey(this.sessionId, pollId), accepted.map((a) => a.sealed as Json), this.ballotFence());
      } catch (err) {
        // As for one cast (process): settled — all kept or all retracted, the box is one write — before the poll is
        // touched again; until then nobody in the run is told "recorded".
        this.unsettled.set(pollId, { lastGroup: accepted.length, casts });
        this.deps.log.error({ err: errText(err), sessionId: this.sessionId, pollId, ballots: accepted.length }, 'sealing secret ballots failed after their eligibility was journaled');
        for (const { event } of accepted) await this.afterApply(event);
        return accepted.forEach(({ pending }) => pending.resolve(fail('OUTCOME_UNKNOWN')));
      }
      for (const c of casts) this.castAcks.set(`${pollId}\u0000${c.delegateId}`, c.ackKey);
    }
    casts.forEach(({ ackKey, ack, digest }) => this.rememberAck(ackKey, ack, digest));
    for (const { event } of accepted) await this.afterApply(event);
    // The voters' own parts of the state the run left, built together (one set of lookups for the whole run).
    const parts = personalParts(
      this.snapshot,
      this.lastSeq,
      accepted.filter(({ pending }) => wantsOwnPart(pending.ownPart, pending.by)).map(({ pending }) => pending.by.id),
    );
    accepted.forEach(({ pending }, k) => {
      const personal = parts.get(pending.by.id);
      pending.resolve({ ok: true, seq: firstSeq + k, ...(personal ? { personal } : {}) });
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    // A ballot arriving after this task must not join a group queued before it, and so overtake it.
    this.ballotGroup = null;
    this.inFlight++;
    const run = this.queue.then(task, task);
    const done = () => void this.inFlight--;
    this.queue = run.then(done, done);
    return run;
  }

  /**
   * Whether closing this room now loses and stops nothing: its sitting is adjourned, no task is queued or running, no
   * deadline is armed, no snapshot is being written and no secret ballot box waits to be settled. What it holds —
   * the sitting's state, the acks of its commands — a reopen rebuilds from the journal (`open`).
   */
  get retirable(): boolean {
    return (
      !this.closed &&
      this.inFlight === 0 &&
      this.timers.size === 0 &&
      this.snapshotting === null &&
      this.unsettled.size === 0 &&
      phaseOf(this.snapshot) === 'adjourned'
    );
  }

  private fenceOf(): string | undefined {
    return this.fence ?? undefined;
  }

  private ballotFence(): Fence | undefined {
    return this.fence === null ? undefined : { sessionId: this.sessionId, token: this.fence };
  }

  private async process(
    commandId: string | undefined,
    by: Actor,
    command: Command | null,
    prepare: (snap: SessionSnapshot, at: number) => ReturnType<typeof prepareCommand>,
  ): Promise<CommandAck> {
    // Nothing is attempted by a room that is closing, no longer owns the session, or may disagree with the journal.
    if (this.closed || this.lostLease || this.needsReopen) return fail('UNAVAILABLE');
    let digest: string | undefined;
    let ackKey: string | null = null;
    if (commandId !== undefined && command) {
      const poll = command.type === 'ballot.cast' ? findPoll(this.snapshot.context, (command.payload as { pollId: string }).pollId) : undefined;
      // An encrypted ballot is secret whatever poll it names: a digest of its ciphertexts beside the voter's name in
      // the journal would let anyone holding the public board find that voter's ballot on it.
      digest = commandDigest(command.type, command.payload, poll?.mode === 'secret' || command.type === 'ballot.castEncrypted');
      ackKey = ackKeyOf(by, commandId);
      const repeat = this.repeatOf(ackKey, digest);
      if (repeat) return repeat;
    }
    const unsettled = await this.settleOrFail();
    if (unsettled) return unsettled;
    // A retry of a cast that settling just kept has its ack now.
    const kept = ackKey ? this.repeatOf(ackKey, digest) : null;
    if (kept) return kept;
    if (this.unfrozenSetup) {
      try {
        this.actor = startSession(await this.unfrozenSetup());
        // The setup may have changed since a replica was told the seq-0 state: it gets the whole state again.
        this.replicaTail = null;
      } catch (err) {
        this.deps.log.error({ err, sessionId: this.sessionId }, 'reading the session setup failed');
        return fail('UNAVAILABLE');
      }
    }
    const at = Math.max(this.deps.now(), this.snapshot.context.lastEventAt);
    const prepared = prepare(this.snapshot, at);
    if (isVerdict(prepared)) return prepared.ok ? fail('INTERNAL') : refused(prepared);
    let event = prepared.event;
    try {
      event = await this.withSecretCounts(event);
    } catch (err) {
      this.deps.log.error({ err, sessionId: this.sessionId, type: event.type }, 'counting the sealed ballot box failed');
      return fail('UNAVAILABLE');
    }
    const checked = await this.checkCommittee(event, prepared.encryptedBallot);
    if ('ok' in checked) return checked;
    event = checked.event;
    const verdict = explain(this.snapshot, event);
    if (!verdict.ok) return refused(verdict);

    const record: JournalInput = { at, event: event as unknown as Json, ...(commandId ? { commandId } : {}), ...(digest ? { digest } : {}) };
    const written = await this.write([record]);
    if (written !== 'written') return fail(written);
    const ack: OkAck = { ok: true, seq: this.lastSeq };

    // A sealed choice, or a committee poll's ciphertexts: either way the box holds it with no name, time or order.
    const boxed = prepared.sealedChoice ?? prepared.encryptedBallot;
    if (boxed !== undefined && event.type === 'ballot.cast') {
      try {
        await this.deps.ballots.add(pollKey(this.sessionId, event.pollId), boxed as unknown as Json, this.ballotFence());
      } catch (err) {
        // The eligibility record is journaled; whether the content reached the box is not known. Settled (kept or
        // retracted) before the poll is touched again; until then the caller is told the outcome is unknown.
        this.unsettled.set(event.pollId, { lastGroup: 1, casts: ackKey ? [{ ackKey, ack, digest, delegateId: by.id }] : [] });
        this.deps.log.error({ err: errText(err), sessionId: this.sessionId, pollId: event.pollId }, 'sealing a secret ballot failed after its eligibility was journaled');
        await this.afterApply(event);
        return fail('OUTCOME_UNKNOWN');
      }
      if (ackKey) this.castAcks.set(`${event.pollId}\u0000${by.id}`, ackKey);
    }
    if (ackKey) this.rememberAck(ackKey, ack, digest);
    await this.afterApply(event);
    return ack;
  }

  /**
   * Journals records (one append: all or none of them) and applies their events. Returns 'written' when they are in
   * the journal (also when the store errored after making them durable — recognised by their content), else the code
   * to answer with.
   */
  private async write(records: JournalInput[]): Promise<'written' | 'UNAVAILABLE' | 'OUTCOME_UNKNOWN'> {
    try {
      if (this.unfrozenSetup) await this.freeze();
      this.lastSeq = await this.deps.journal.append(this.sessionId, records, this.lastSeq, this.fenceOf());
    } catch (err) {
      if (err instanceof StoreFencedError) {
        // Another node owns the session now: nothing was written; the cluster layer routes the command to it.
        this.lostLease = true;
        this.deps.log.warn({ sessionId: this.sessionId }, 'write fenced off: this node no longer holds the session lease');
        return 'UNAVAILABLE';
      }
      if (err instanceof StoreUnavailableError) {
        // Refused before it was sent (the store is unreachable): certainly not written, and our state still holds.
        this.deps.log.warn({ err: errText(err), sessionId: this.sessionId }, 'journal append not sent: the store is unreachable');
        return 'UNAVAILABLE';
      }
      if (err instanceof StoreConflictError) {
        // Someone else appended to this journal: nothing of ours was written, and our state is behind.
        this.markNeedsReopen();
        this.deps.log.error({ sessionId: this.sessionId }, 'journal moved under this room; reopening the session');
        return 'UNAVAILABLE';
      }
      const landed = await this.landed(records);
      if (landed === 'no') {
        this.deps.log.error({ err: errText(err), sessionId: this.sessionId, type: (records[0]!.event as { type?: string }).type, records: records.length }, 'journal append failed; command not applied');
        return 'UNAVAILABLE';
      }
      if (landed === 'unknown') {
        this.markNeedsReopen();
        this.deps.log.error({ err: errText(err), sessionId: this.sessionId }, 'journal append failed and its outcome is unknown; reopening the session');
        return 'OUTCOME_UNKNOWN';
      }
      this.lastSeq += records.length;
    }
    const firstSeq = this.lastSeq - records.length + 1;
    records.forEach((record, k) => {
      this.lastHash = chainHash(this.lastHash, { seq: firstSeq + k, at: record.at, commandId: record.commandId, digest: record.digest, event: record.event });
      this.actor.send(record.event as unknown as MachineEvent);
    });
    if (this.replicaTail) {
      if (this.replicaTail.events.length + records.length > REPLICA_TAIL_MAX) this.replicaTail = null;
      else for (const record of records) this.replicaTail.events.push(record.event);
    }
    return 'written';
  }

  /**
   * The first accepted command freezes the council and agenda into a seq-0 snapshot (the genesis), so replay never
   * reads the catalog again, and marks the session live in the catalog.
   */
  private async freeze() {
    await this.deps.journal.saveSnapshot(this.sessionId, persist(this.actor, 0) as unknown as { machineVersion: number; seq: number; snapshot: Json }, this.fenceOf());
    this.unfrozenSetup = null;
    await this.deps.onStatus?.(this.sessionId, 'live');
  }

  /**
   * After an append errored: are OUR records at the journal's next seqs? Compared by content (time, commandId,
   * digest, event) — never "the tail moved, so it must be mine", which once told a delegate another delegate's seq.
   * One append writes all its records or none, so the first one decides; the rest are checked all the same.
   */
  private async landed(records: JournalInput[]): Promise<'yes' | 'no' | 'unknown'> {
    try {
      const tail = await this.deps.journal.lastSeq(this.sessionId);
      if (tail === this.lastSeq) return 'no';
      const found = await this.deps.journal.read(this.sessionId, this.lastSeq + 1);
      const next = found[0];
      if (next && next.seq === this.lastSeq + 1 && sameRecord(next, records[0]!)) {
        const all = records.every((r, k) => found[k]?.seq === this.lastSeq + 1 + k && sameRecord(found[k]!, r));
        return all && tail === this.lastSeq + records.length ? 'yes' : 'unknown';
      }
      // Another writer's record: ours was not written (the append checks the tail), but this room is behind.
      this.markNeedsReopen();
      return 'no';
    } catch {
      return 'unknown';
    }
  }

  /**
   * The answer to a command already journaled for this caller under this id: its original ack, or COMMAND_ID_REUSED
   * when the id now carries other content. Null for a command not seen before.
   */
  private repeatOf(ackKey: string, digest: string | undefined): CommandAck | null {
    const previous = this.acks.get(ackKey);
    if (!previous) return null;
    return previous.digest !== undefined && previous.digest !== digest ? fail('COMMAND_ID_REUSED') : { ...previous.ack, duplicate: true };
  }

  /** Settles the secret polls whose last write failed; the answer to give instead while the store cannot tell, else null. */
  private async settleOrFail(): Promise<CommandAck | null> {
    try {
      await this.settleSecretPolls();
      return null;
    } catch (err) {
      this.deps.log.error({ err, sessionId: this.sessionId }, 'settling a secret ballot box with the journal failed');
      return fail('UNAVAILABLE');
    }
  }

  private markNeedsReopen() {
    if (this.needsReopen) return;
    this.needsReopen = true;
    // After the current task: the registry closes this room (which waits for its queue) and opens a fresh one.
    queueMicrotask(() => this.deps.onNeedsReopen?.(this));
  }

  private rememberAck(key: string, ack: OkAck, digest: string | undefined) {
    this.acks.set(key, { ack, digest });
    if (this.acks.size > ACK_MEMORY) this.acks.delete(this.acks.keys().next().value as string);
  }

  private forgetCastAck(pollId: string, delegateId: string) {
    const castKey = `${pollId}\u0000${delegateId}`;
    const key = this.castAcks.get(castKey);
    if (key !== undefined) this.acks.delete(key);
    this.castAcks.delete(castKey);
  }

  /**
   * Secret polls whose box may lack the last journaled cast (a failed box write): compare the box with the journal
   * and keep the cast (its ack becomes answerable) or journal `ballot.retract` for it. Throws while the store cannot
   * tell; the poll stays unsettled and the next command tries again.
   */
  private async settleSecretPolls() {
    for (const [pollId, cast] of this.unsettled) {
      const poll = findPoll(this.snapshot.context, pollId);
      if (!poll || poll.status !== 'open') {
        this.unsettled.delete(pollId);
        continue;
      }
      const missing = await this.deps.ballots.reconcile(pollKey(this.sessionId, pollId), poll.castBy.length, this.ballotFence(), cast.lastGroup);
      if (missing > 0) await this.retractLastCasts(pollId, missing);
      else {
        for (const c of cast.casts) {
          this.rememberAck(c.ackKey, c.ack, c.digest);
          this.castAcks.set(`${pollId}\u0000${c.delegateId}`, c.ackKey);
        }
      }
      this.unsettled.delete(pollId);
    }
  }

  /**
   * The poll's last `count` journaled casts (the machine keeps `castBy` in journal order) never reached the box:
   * withdraw them, in one append (each retraction concerns another delegate, so none depends on the others).
   */
  private async retractLastCasts(pollId: string, count: number) {
    const delegateIds = findPoll(this.snapshot.context, pollId)!.castBy.slice(-count);
    const at = Math.max(this.deps.now(), this.snapshot.context.lastEventAt);
    const events = delegateIds.map((delegateId) => ({ type: 'ballot.retract', pollId, delegateId, at, by: SYSTEM_ACTOR }) as MachineEvent);
    for (const event of events) {
      const verdict = explain(this.snapshot, event);
      if (!verdict.ok) throw new Error(`retracting a cast of poll ${pollId} was refused: ${verdict.reason}`);
    }
    const written = await this.write(events.map((event) => ({ at, event: event as unknown as Json })));
    if (written !== 'written') throw new Error(`retracting casts of poll ${pollId}: the journal answered ${written}`);
    for (const delegateId of delegateIds) this.forgetCastAck(pollId, delegateId);
    this.deps.log.warn({ sessionId: this.sessionId, pollId, ballots: count }, 'secret ballots whose contents never reached the box were retracted; their delegates may vote again');
    for (const event of events) await this.afterApply(event);
  }

  /**
   * Committee polls: every proof is checked before anything is journaled — a member's commitment, a complaint about a
   * dealt share, a ballot's proofs, a decryption share — and the share that completes the threshold gets the counts the
   * server combined. A proof that does not hold is refused (BAD_PROOF), a complaint about a good share SHARE_VALID, and
   * nothing is recorded. Returns the event to journal, or the refusal.
   */
  private async checkCommittee(event: MachineEvent, encrypted: EncryptedBallot | undefined): Promise<{ event: MachineEvent } | CommandAck> {
    if (event.type !== 'ballot.cast' && event.type !== 'committee.commit' && event.type !== 'committee.complain' && event.type !== 'committee.decrypt') return { event };
    const poll = findPoll(this.snapshot.context, event.pollId);
    if (!isCommitteePoll(poll)) return { event };
    // The machine's own conditions first (membership, phase, already cast): a refused command costs no proof checking.
    const early = explain(this.snapshot, event);
    if (!early.ok && !(event.type === 'committee.decrypt' && early.reason === 'COUNTS_REQUIRED')) return refused(early);
    try {
      if (event.type === 'committee.commit') checkCommitment(poll, event.commitment);
      if (event.type === 'committee.complain') checkShareComplaint(poll, event.by.id, event.complaint);
      if (event.type === 'ballot.cast') {
        if (!encrypted) return refusedBecause('BAD_BALLOT');
        checkBallot(poll, encrypted);
      }
      if (event.type === 'committee.decrypt') {
        const ballots = (await this.deps.ballots.contents(pollKey(this.sessionId, poll.pollId))) as unknown as EncryptedBallot[];
        const counts = countWithShare(poll, ballots, event.partial, poll.presentAtClose);
        const { counts: _ignored, ...share } = event;
        return { event: counts ? { ...share, counts } : share };
      }
      return { event };
    } catch (err) {
      if (!(err instanceof BallotCryptoError)) {
        this.deps.log.error({ err: errText(err), sessionId: this.sessionId, type: event.type }, 'checking a committee poll command failed');
        return fail('UNAVAILABLE');
      }
      // The reason names the proof that failed, never a choice (the server cannot read one).
      this.deps.log.warn({ sessionId: this.sessionId, pollId: poll.pollId, type: event.type, problem: err.code }, 'committee poll command refused: a proof does not hold');
      return { ...refusedBecause(err.code === 'SHARE_VALID' ? 'SHARE_VALID' : 'BAD_PROOF'), issues: [err.message] } as CommandAck;
    }
  }

  /** The poll's public bulletin board (docs/committee-ballots.md); null for a poll that is not a committee poll. */
  async board(pollId: string): Promise<CommitteeBoard | null> {
    const poll = findPoll(this.snapshot.context, pollId);
    if (!isCommitteePoll(poll)) return null;
    const listed = poll.committee.phase === 'decrypting' && poll.status !== 'cancelled';
    const ballots = listed ? ((await this.deps.ballots.contents(pollKey(this.sessionId, pollId))) as unknown as EncryptedBallot[]) : null;
    return boardOf(poll, ballots);
  }

  /** A secret e-ballot is counted by the server from the sealed box at close; the counts travel in the event. */
  private async withSecretCounts(event: MachineEvent): Promise<MachineEvent> {
    if (event.type !== 'poll.close' && event.type !== 'poll.deadline') return event;
    const poll = findPoll(this.snapshot.context, event.pollId);
    // A committee poll is counted by its committee after the close (checkCommittee), never from the box here.
    if (!poll || poll.mode !== 'secret' || poll.status !== 'open' || isCommitteePoll(poll)) return event;
    // Too few to count: the machine refuses a close and cancels at the deadline; no count may be journaled.
    if (tooFewSecretBallots(this.snapshot.context, poll)) return event;
    const contents = await this.deps.ballots.contents(pollKey(this.sessionId, poll.pollId));
    const { present, remote } = presentCounts(this.snapshot.context);
    return { ...event, counts: tallySealedBallots(poll, contents, present + remote) };
  }

  /**
   * What follows a journaled event (snapshot, ballot box, deadlines, views). Its failure is logged, never answered: the
   * record stands, and a caller told "failed" would think it was not recorded — in a grouped run, a whole group.
   */
  private async afterApply(event: MachineEvent) {
    try {
      await this.followJournaled(event);
    } catch (err) {
      this.deps.log.error({ err: errText(err), sessionId: this.sessionId, type: event.type }, 'follow-up of a journaled event failed');
    }
  }

  private async followJournaled(event: MachineEvent) {
    this.sinceSnapshot++;
    if (this.sinceSnapshot >= this.deps.snapshotEvery) this.snapshotBeside();
    const pollId = event.type === 'poll.revote' ? event.newPollId : 'pollId' in event ? (event.pollId as string) : null;
    const poll = pollId === null ? undefined : findPoll(this.snapshot.context, pollId);
    if (poll?.mode === 'secret') {
      const key = pollKey(this.sessionId, poll.pollId);
      // A committee poll's ciphertexts are its public board: kept after the announcement, like the minutes.
      const announcedKept = event.type === 'poll.announce' && isCommitteePoll(poll);
      if (!announcedKept && (event.type === 'poll.announce' || event.type === 'poll.cancel' || (event.type === 'poll.deadline' && poll.status === 'cancelled'))) {
        // Like burning the paper ballots once the count minutes are signed (docs/architecture.md).
        await this.deps.ballots.destroy(key, this.ballotFence()).catch((err: unknown) =>
          this.deps.log.error({ err: errText(err), sessionId: this.sessionId, pollId: poll.pollId }, 'destroying the ballot box failed'),
        );
      }
      if (event.type === 'poll.open' || event.type === 'poll.revote') {
        await this.deps.ballots.open(key, this.ballotFence()).catch((err: unknown) => {
          // The first cast will find no box: settle the poll (which creates it) before then.
          this.unsettled.set(poll.pollId, { lastGroup: 1, casts: [] });
          this.deps.log.error({ err: errText(err), sessionId: this.sessionId, pollId: poll.pollId }, 'creating the ballot box failed');
        });
      }
    }
    if (event.type === 'session.adjourn') {
      // The adjournment is journaled (and its ack remembered) by now: a catalog that cannot take the status must not
      // turn the answer into a failure, which the gateway would report as UNAVAILABLE, "not recorded".
      await this.deps.onStatus?.(this.sessionId, 'adjourned').catch((err: unknown) =>
        this.deps.log.error({ err: errText(err), sessionId: this.sessionId }, 'marking the session adjourned in the catalog failed'),
      );
    }
    this.armDeadlines();
    this.deps.onChange(this);
  }

  /**
   * A snapshot only shortens the next restart's replay (the journal already holds every event), so it is written
   * beside the command stream: no ack waits for it — before, every 100th ballot of a storm waited for a snapshot
   * write and fsync, which was the storm's p99. One write at a time; a missed interval is caught up by the next.
   */
  private snapshotBeside() {
    if (this.snapshotting) return;
    this.snapshotting = this.saveSnapshot().finally(() => (this.snapshotting = null));
  }

  private async saveSnapshot(): Promise<boolean> {
    this.sinceSnapshot = 0;
    try {
      const snapshot = { ...persist(this.actor, this.lastSeq), hash: this.lastHash } as unknown as { machineVersion: number; seq: number; snapshot: Json; hash: string };
      await this.deps.journal.saveSnapshot(this.sessionId, snapshot, this.fenceOf());
      return true;
    } catch (err) {
      if (err instanceof StoreFencedError) this.lostLease = true;
      // A missed snapshot only lengthens the next replay; the journal already holds the event.
      this.deps.log.warn({ err: errText(err), sessionId: this.sessionId }, 'snapshot failed');
      return false;
    }
  }

  /**
   * After a restart replayed a tail at least as long as the snapshot interval (snapshots were missed, or the journal
   * was written elsewhere), persists the current state so that the next restart replays little. Runs between
   * commands, like every write of this room. Resolves true when it saved one.
   */
  snapshotIfBehind(): Promise<boolean> {
    return this.enqueue(async () => {
      if (this.closed || this.lostLease || this.needsReopen || this.unfrozenSetup || this.sinceSnapshot < this.deps.snapshotEvery) return false;
      return this.saveSnapshot();
    });
  }

  /** True until the first command is accepted; the registry drops such rooms when the catalog's session changes. */
  get frozen(): boolean {
    return this.unfrozenSetup === null;
  }

  /**
   * After a restart: every secret poll's box must agree with the journal's eligibility records — an open poll's box
   * holds one ballot per cast (casts whose contents never reached the box are retracted), a finished poll has none.
   * Only the journal's last append can lack its box write (nothing is journaled before a failed one is settled), and
   * the casts of one append share its time: the box may lack at most the poll's casts at the journal's tail with the
   * tail's time (at least one, as before groups existed; one more same-ms single cast before a group only widens the
   * bound, never what is retracted — the box's own count says how many).
   */
  private async reconcileBallotBoxes(all: JournalRecord[]) {
    const tail = all.at(-1);
    for (const poll of this.snapshot.context.polls) {
      if (poll.mode !== 'secret') continue;
      const key = pollKey(this.sessionId, poll.pollId);
      if (poll.status === 'open') {
        await this.deps.ballots.open(key, this.ballotFence());
        let lastGroup = 0;
        for (let k = all.length - 1; k >= 0; k--) {
          const { type, pollId } = all[k]!.event as { type?: string; pollId?: string };
          if (all[k]!.at !== tail!.at || type !== 'ballot.cast' || pollId !== poll.pollId) break;
          lastGroup++;
        }
        this.unsettled.set(poll.pollId, { lastGroup: Math.max(1, lastGroup), casts: [] });
      } else if (poll.status !== 'counted' && !(poll.status === 'announced' && isCommitteePoll(poll))) {
        await this.deps.ballots.destroy(key, this.ballotFence());
      }
    }
    await this.enqueue(() => this.settleSecretPolls());
  }

  private armDeadlines() {
    if (this.closed) return;
    const wanted = new Map<string, Deadline>(pendingDeadlines(this.snapshot.context).map((d) => [d.key, d]));
    const timers = this.deps.timers ?? { set: (fn: () => void, ms: number) => setTimeout(fn, ms), clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
    for (const [key, t] of this.timers) {
      if (wanted.get(key)?.at !== t.at) {
        if (t.handle !== null) timers.clear(t.handle);
        this.timers.delete(key);
      }
    }
    for (const [key, d] of wanted) {
      if (this.timers.has(key)) continue;
      const delay = Math.max(0, d.at - this.deps.now());
      if (delay === 0) {
        // Already due (it passed while the session was closed, e.g. during a restart): queued now, ahead of any command
        // sent from here on. The server listens while it restores, and a timer would let a reconnecting tablet's ballot
        // in before the deadline that closes its poll. The entry (no handle) keeps it from being queued twice.
        this.timers.set(key, { at: d.at, handle: null });
        void this.fireDeadline(d).finally(() => {
          if (this.timers.get(key)?.handle === null) this.timers.delete(key);
        });
        continue;
      }
      const handle = timers.set(() => {
        this.timers.delete(key);
        void this.fireDeadline(d);
      }, Math.min(delay, 2 ** 31 - 1));
      this.timers.set(key, { at: d.at, handle });
    }
  }

  private async fireDeadline(d: Deadline) {
    const ack = await this.enqueue(() =>
      this.process(undefined, SYSTEM_ACTOR, null, (_snap, at) => ({ event: { ...d.event, at, by: SYSTEM_ACTOR } as MachineEvent })),
    );
    if (!ack.ok && ack.reason !== 'STALE_DEADLINE') {
      this.deps.log.warn({ sessionId: this.sessionId, deadline: d.key, code: ack.code, reason: ack.reason }, 'deadline not applied; retrying');
      // A storage blip must not lose a deadline: try again shortly (a room that lost the session or must reopen stops
      // here; the node that opens the session next arms its deadlines).
      if ((ack.code === 'UNAVAILABLE' || ack.code === 'OUTCOME_UNKNOWN') && !this.closed && !this.lostLease && !this.needsReopen) {
        setTimeout(() => this.armDeadlines(), 1000);
      }
    }
  }

  /** Waits for queued commands, stops timers. Idempotent. */
  async close() {
    if (this.closed) return;
    await this.queue;
    await this.snapshotting;
    this.closed = true;
    const timers = this.deps.timers ?? { clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
    for (const t of this.timers.values()) if (t.handle !== null) timers.clear(t.handle);
    this.timers.clear();
    this.actor.stop();
  }
}

export const pollKey = (sessionId: string, pollId: string) => `${sessionId}.${pollId}`;

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function fail(code: keyof typeof errorMessages): CommandAck {
  return { ok: false, code, message: errorMessages[code].vi };
}

function refusedBecause(reason: RefusalReason): CommandAck {
  return { ok: false, code: 'REJECTED', reason, message: Refusal[reason].vi };
}

function refused(v: Exclude<ReturnType<typeof explain>, { ok: true }>): CommandAck {
  return { ok: false, code: v.code, reason: v.reason, message: v.message };
}
