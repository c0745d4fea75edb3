/**
 * One live session: the authoritative actor, its journal, its sealed ballot boxes and its deadlines. Commands are
 * applied strictly one at a time (a per-session queue), so the journal's order is the machine's order.
 *
 * The command path (DESIGN.md §2) from step 3 on: dedupe by commandId → prepare (split off a secret ballot's
 * content) → explain/can → seal the ballot (secret only) → journal.append (durable) → actor.send → ack. Nothing is
 * acknowledged before it is durable, and nothing reaches the actor before it is journaled.
 */
import {
  explain,
  findPoll,
  isVerdict,
  pendingDeadlines,
  persist,
  prepareCommand,
  replay,
  restoreSession,
  startSession,
  tallySealedBallots,
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
} from '@hall/core';
import { StoreFencedError, type Journal, type Json, type JournalInput } from '../store/types.ts';
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
}

/** Remembered acks for retried commands; bounded so a long session cannot grow it without limit. */
const ACK_MEMORY = 20_000;

export class StoreUnavailableError extends Error {}

export class SessionRoom {
  private actor: SessionActor;
  private lastSeq: number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly acks = new Map<string, CommandAck>();
  private readonly timers = new Map<string, { at: number; handle: unknown }>();
  private closed = false;
  private sinceSnapshot = 0;
  private snapshotting: Promise<boolean> | null = null;
  /** Journal events replayed when the room was opened (the tail after the stored snapshot). */
  replayedAtOpen = 0;
  /** Set when an append was fenced off: another node took the session over and this room must be dropped. */
  lostLease = false;
  /** Set while the session has never accepted a command: its setup is re-read from the catalog until then. */
  private unfrozenSetup: (() => Promise<SessionSetup>) | null = null;

  private constructor(
    readonly sessionId: string,
    actor: SessionActor,
    seq: number,
    private readonly deps: RoomDeps,
  ) {
    this.actor = actor;
    this.lastSeq = seq;
  }

  /**
   * Opens a session: restores snapshot + journal tail, or — first time — persists the initial snapshot at seq 0, so
   * the council and agenda are frozen with the session and replay never reads the catalog.
   */
  static async open(sessionId: string, setup: () => Promise<SessionSetup>, deps: RoomDeps): Promise<SessionRoom> {
    const stored = await deps.journal.loadSnapshot(sessionId);
    if (!stored) {
      // Not frozen yet: the catalog's agenda may still change, so nothing is persisted until the first command.
      const room = new SessionRoom(sessionId, startSession(await setup()), 0, deps);
      room.unfrozenSetup = setup;
      return room;
    }
    const actor = restoreSession(stored);
    const seq = stored.seq;
    // One read of the whole journal serves both the replayed tail and the acks (a store verifies it whole anyway).
    const all = await deps.journal.read(sessionId, 1);
    const tail = all.filter((r) => r.seq > seq);
    replay(actor, tail.map((r) => r.event), seq + 1);
    const room = new SessionRoom(sessionId, actor, tail.length ? tail[tail.length - 1]!.seq : seq, deps);
    room.replayedAtOpen = tail.length;
    // The replayed tail counts towards the next snapshot, as if its events had just been applied.
    room.sinceSnapshot = tail.length;
    // Acks of journaled commands survive a restart: a client retrying after a crash gets the original seq.
    for (const r of all.slice(-ACK_MEMORY)) if (r.commandId) room.acks.set(r.commandId, { ok: true, seq: r.seq });
    await room.reconcileBallotBoxes();
    room.armDeadlines();
    return room;
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

  /** Submits a validated, authorized command. Resolves with the ack to send; never rejects. */
  submit(command: Command, by: Actor): Promise<CommandAck> {
    return this.enqueue(() => this.process(command.commandId, by, (snap, at) => prepareCommand(snap, command, by, at)));
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async process(
    commandId: string | undefined,
    by: Actor,
    prepare: (snap: SessionSnapshot, at: number) => ReturnType<typeof prepareCommand>,
  ): Promise<CommandAck> {
    if (this.closed) return fail('UNAVAILABLE');
    if (commandId !== undefined) {
      const previous = this.acks.get(commandId);
      if (previous) return previous.ok ? { ...previous, duplicate: true } : previous;
    }
    if (this.unfrozenSetup) {
      try {
        this.actor = startSession(await this.unfrozenSetup());
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
      return fail('INTERNAL');
    }
    const verdict = explain(this.snapshot, event);
    if (!verdict.ok) return refused(verdict);

    try {
      if (this.unfrozenSetup) await this.freeze();
      if (prepared.sealedChoice !== undefined && event.type === 'ballot.cast') {
        await this.deps.ballots.cast(pollKey(this.sessionId, event.pollId), prepared.sealedChoice as Json);
      }
      const record: JournalInput = { at, event: event as unknown as Json, ...(commandId ? { commandId } : {}) };
      this.lastSeq = await this.deps.journal.append(this.sessionId, [record], this.lastSeq);
    } catch (err) {
      if (err instanceof StoreFencedError) {
        // Another node owns the session now: stop here; the cluster layer forwards the command to the new owner.
        this.lostLease = true;
        this.deps.log.warn({ sessionId: this.sessionId }, 'lease lost: this node no longer owns the session');
        return fail('UNAVAILABLE');
      }
      if (!(await this.landedDespiteError())) {
        this.deps.log.error({ err, sessionId: this.sessionId, type: event.type, by: by.role }, 'journal append failed; command not applied');
        if (prepared.sealedChoice !== undefined && event.type === 'ballot.cast') {
          // Drop the pending sealed ballot: no journal record names it, so it must never be counted.
          const poll = findPoll(this.snapshot.context, event.pollId)!;
          await this.deps.ballots.recover(pollKey(this.sessionId, event.pollId), poll.castBy.length).catch(() => undefined);
        }
        return fail('UNAVAILABLE');
      }
      this.lastSeq++;
    }
    this.actor.send(event);
    const ack: CommandAck = { ok: true, seq: this.lastSeq };
    if (commandId !== undefined) this.rememberAck(commandId, ack);
    await this.afterApply(event);
    return ack;
  }

  /**
   * The first accepted command freezes the council and agenda into a seq-0 snapshot, so replay never reads the
   * catalog again, and marks the session live in the catalog.
   */
  private async freeze() {
    await this.deps.journal.saveSnapshot(this.sessionId, persist(this.actor, 0) as unknown as { machineVersion: number; seq: number; snapshot: Json });
    this.unfrozenSetup = null;
    await this.deps.onStatus?.(this.sessionId, 'live');
  }

  /** An append that errored after the store had made it durable (a timeout on the reply) still counts. */
  private async landedDespiteError(): Promise<boolean> {
    try {
      return (await this.deps.journal.lastSeq(this.sessionId)) === this.lastSeq + 1;
    } catch {
      return false;
    }
  }

  private rememberAck(commandId: string, ack: CommandAck) {
    this.acks.set(commandId, ack);
    if (this.acks.size > ACK_MEMORY) this.acks.delete(this.acks.keys().next().value as string);
  }

  /** A secret e-ballot is counted by the server from the sealed box at close; the counts travel in the event. */
  private async withSecretCounts(event: MachineEvent): Promise<MachineEvent> {
    if (event.type !== 'poll.close' && event.type !== 'poll.deadline') return event;
    const poll = findPoll(this.snapshot.context, event.pollId);
    if (!poll || poll.mode !== 'secret' || poll.status !== 'open') return event;
    const contents = await this.deps.ballots.contents(pollKey(this.sessionId, poll.pollId));
    const { present, remote } = presentCounts(this.snapshot.context);
    return { ...event, counts: tallySealedBallots(poll, contents, present + remote) };
  }

  private async afterApply(event: MachineEvent) {
    this.sinceSnapshot++;
    if (this.sinceSnapshot >= this.deps.snapshotEvery) this.snapshotBeside();
    if ((event.type === 'poll.announce' || event.type === 'poll.cancel') && findPoll(this.snapshot.context, event.pollId)?.mode === 'secret') {
      // Like burning the paper ballots once the count minutes are signed (DESIGN.md §4).
      await this.deps.ballots.destroy(pollKey(this.sessionId, event.pollId)).catch((err: unknown) =>
        this.deps.log.error({ err, sessionId: this.sessionId, pollId: event.pollId }, 'destroying the ballot box failed'),
      );
    }
    if (event.type === 'poll.open' || event.type === 'poll.revote') {
      const pollId = event.type === 'poll.open' ? event.pollId : event.newPollId;
      if (findPoll(this.snapshot.context, pollId)?.mode === 'secret') await this.deps.ballots.open(pollKey(this.sessionId, pollId));
    }
    if (event.type === 'session.adjourn') await this.deps.onStatus?.(this.sessionId, 'adjourned');
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
      await this.deps.journal.saveSnapshot(this.sessionId, persist(this.actor, this.lastSeq) as unknown as { machineVersion: number; seq: number; snapshot: Json });
      return true;
    } catch (err) {
      // A missed snapshot only lengthens the next replay; the journal already holds the event.
      this.deps.log.warn({ err, sessionId: this.sessionId }, 'snapshot failed');
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
      if (this.closed || this.lostLease || this.unfrozenSetup || this.sinceSnapshot < this.deps.snapshotEvery) return false;
      return this.saveSnapshot();
    });
  }

  /** True until the first command is accepted; the registry drops such rooms when the catalog's session changes. */
  get frozen(): boolean {
    return this.unfrozenSetup === null;
  }

  /** After a restart: every open secret poll's box must agree with the journal's eligibility records. */
  private async reconcileBallotBoxes() {
    for (const poll of this.snapshot.context.polls) {
      if (poll.mode !== 'secret') continue;
      const key = pollKey(this.sessionId, poll.pollId);
      if (poll.status === 'open' || poll.status === 'counted') {
        if (poll.status === 'open') await this.deps.ballots.open(key);
        await this.deps.ballots.recover(key, poll.castBy.length);
      } else {
        await this.deps.ballots.destroy(key);
      }
    }
  }

  private armDeadlines() {
    if (this.closed) return;
    const wanted = new Map<string, Deadline>(pendingDeadlines(this.snapshot.context).map((d) => [d.key, d]));
    const timers = this.deps.timers ?? { set: (fn: () => void, ms: number) => setTimeout(fn, ms), clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
    for (const [key, t] of this.timers) {
      if (wanted.get(key)?.at !== t.at) {
        timers.clear(t.handle);
        this.timers.delete(key);
      }
    }
    for (const [key, d] of wanted) {
      if (this.timers.has(key)) continue;
      const delay = Math.max(0, d.at - this.deps.now());
      const handle = timers.set(() => {
        this.timers.delete(key);
        void this.fireDeadline(d);
      }, Math.min(delay, 2 ** 31 - 1));
      this.timers.set(key, { at: d.at, handle });
    }
  }

  private async fireDeadline(d: Deadline) {
    const ack = await this.enqueue(() =>
      this.process(undefined, SYSTEM_ACTOR, (_snap, at) => ({ event: { ...d.event, at, by: SYSTEM_ACTOR } as MachineEvent })),
    );
    if (!ack.ok && ack.reason !== 'STALE_DEADLINE') {
      this.deps.log.warn({ sessionId: this.sessionId, deadline: d.key, code: ack.code, reason: ack.reason }, 'deadline not applied; retrying');
      // A storage blip must not lose a deadline: try again shortly.
      if (ack.code === 'UNAVAILABLE' && !this.closed) setTimeout(() => this.armDeadlines(), 1000);
    }
  }

  /** Waits for queued commands, stops timers. Idempotent. */
  async close() {
    if (this.closed) return;
    await this.queue;
    await this.snapshotting;
    this.closed = true;
    const timers = this.deps.timers ?? { clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
    for (const t of this.timers.values()) timers.clear(t.handle);
    this.timers.clear();
    this.actor.stop();
  }
}

export const pollKey = (sessionId: string, pollId: string) => `${sessionId}.${pollId}`;

function fail(code: keyof typeof errorMessages): CommandAck {
  return { ok: false, code, message: errorMessages[code].vi };
}

function refused(v: Exclude<ReturnType<typeof explain>, { ok: true }>): CommandAck {
  return { ok: false, code: v.code, reason: v.reason, message: v.message };
}
