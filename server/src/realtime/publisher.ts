/**
 * Pushes views to audience rooms. Views are "the current state at seq N", so a burst of events (85 ballots in a few
 * seconds) is coalesced into one publication per session: a client that misses an intermediate view loses nothing.
 *
 * A publication projects each audience once. The delegates of a session share one view and each delegate whose own part
 * changed gets that part first (views/wire.ts); pushed snapshots leave out the frozen council. A room gets what changed
 * since the view it was last sent — one patch, computed and encoded once for the room — except the sockets that joined
 * since, which get the whole view once (their join answer may be newer than the room's last view, so no patch fits it).
 *
 * A delegate's own command's ack carries their own part (CommandAck.personal): when the ack reached the delegate's only
 * socket here, that part counts as sent (`personalDelivered`) and is not pushed again — one write per ballot, not two.
 *
 * Commands come before views: publications run one at a time, write a slice of sockets per turn of the event loop
 * (commands that arrived meanwhile are handled between slices) and, while commands pour in (a vote storm), together
 * use at most `share` of the event loop — after a publication that took c ms the next waits c·(1−share)/share ms. Acks are what make a ballot count; a view
 * that comes 100 ms later costs nobody anything, a late ack makes a tablet resend. In a cluster, replicated states of
 * other nodes' sessions go through the same queue.
 */
import {
  glanceOf,
  onlyVoteProgress,
  onlyVoteProgressBetween,
  ownPartsTouched,
  personalParts,
  project,
  sharedDelegateView,
  viewPatch,
  withoutCouncil,
  type Audience,
  type PersonalView,
  type SessionContext,
  type SessionSnapshot,
  type SessionView,
  type ViewPatch,
} from '@hall/core';
import type { Server } from 'socket.io';
import type { SessionRoom } from '../runtime/session-room.ts';

export const audienceRoom = (sessionId: string, audience: Exclude<Audience, 'delegate'>) => `s:${sessionId}:${audience}`;
/** The audiences whose sockets share one view room per session (a delegate's tablet gets the shared view and its own part). */
const VIEW_AUDIENCES = ['chair', 'secretary', 'wall', 'public'] as const;
/** Every delegate socket of a session: receives the shared delegate view. */
export const delegatesRoom = (sessionId: string) => `s:${sessionId}:delegates`;
/** One delegate's sockets (a delegate may have a tablet and a phone): receives their personal part. */
export const delegateRoom = (sessionId: string, delegateId: string) => `s:${sessionId}:d:${delegateId}`;
/** Oversight dashboards of every council (the province's oversight accounts and admins): receive every session's glance. */
export const OVERSIGHT_ALL_ROOM = 'o:all';
/** Dashboards of one council's own staff: receive that council's sessions' glances only. */
export const oversightCouncilRoom = (councilId: string) => `o:c:${councilId}`;

export interface PublisherOptions {
  /** Coalescing delay after the first change of a quiet session. */
  flushMs?: number;
  /**
   * Least time between two publications of one session: in a vote storm a session publishes a few times a second,
   * not once per ballot. A voter's own "recorded" comes from the ack, not from a view.
   */
  minGapMs?: number;
  /** Most of the event loop that publishing may take during a command storm (0 < share ≤ 1). */
  share?: number;
  /**
   * Commands per second, counted while a publication runs, from which on the share applies. Below it commands are
   * few and slip in between slices anyway, and a big public room (thousands of viewers) gets every view.
   */
  stormRate?: number;
  /**
   * Least time between two pushes to a session's tablets that only say how a vote is going (the running count, who
   * has cast): a hall of 85 tablets written ten times a second in a vote storm is most of the server's work, and a
   * delegate's progress bar needs no more than this. The voter's own part, the chair's and the wall's views and every
   * other change to the tablets (a poll opened or closed, a result) are not held back.
   */
  progressGapMs?: number;
  /**
   * Vote-progress pushes to tablets this node makes per second at most, over all its halls: with many halls voting at
   * once each hall's gap grows past `progressGapMs` (8,500 tablets at 5,000 a second: every 1.7 s), so progress —
   * the one push that grows with halls × tablets — stays a bounded share of the node however many halls vote.
   */
  progressPushesPerSec?: number;
  /** Monotonic ms clock that measures what a publication cost (tests pass a fake one). */
  clock?: () => number;
}

/** What a publication reads: a live room on its owner, or the latest replicated state on another node. */
interface ViewSource {
  sessionId: string;
  snapshot: SessionSnapshot;
  seq: number;
}

interface Queued {
  source: ViewSource;
  /** A local room (its owner tells the other nodes once published); false for a replica of another node's room. */
  local: boolean;
  due: number;
}

/** A session's tablets wait for vote progress, from its newest state, from `due` on (the progress lane). */
interface ProgressDue {
  source: ViewSource;
  due: number;
}

interface Send {
  room: string;
  event: 'session:view' | 'session:patch' | 'session:personal' | 'oversight:glance';
  payload: object;
  /** Only these sockets of the room. */
  only?: ReadonlySet<string>;
  /** Every socket of the room but these. */
  except?: ReadonlySet<string>;
}

/** What one state sends on this node, and when the tablets' vote progress held back from it may go (if it was). */
interface Publication {
  sends: Send[];
  heldUntil?: number;
}

/**
 * How much longer the tablets' vote progress waits than any other publication due at the same time: the chairs' tallies,
 * the walls and every other change go first, and progress — the push that costs most, 85 tablets a hall — takes what
 * time is left, but never waits longer than this behind them.
 */
const PROGRESS_YIELD_MS = 3000;

/** What `sentPersonal` compares: a part without its seq, since an unchanged part stays valid for every later state. */
const partKey = (part: PersonalView) => JSON.stringify([part.me, part.mine]);

/** Sockets written to between two turns of the event loop: about a millisecond of work, so an ack never waits long. */
const SLICE_SOCKETS = 64;
/** Publishing work (projecting, encoding) in one turn of the event loop before commands get theirs, ms. */
const TURN_BUDGET_MS = 2;
/** Publishing work one tick takes on before the share's pause, ms. */
const TICK_BUDGET_MS = 20;

/** One turn of the event loop's publishing: when it began (the cost clock), sockets written, work of earlier turns. */
interface Turn {
  started: number;
  written: number;
  cost: number;
}
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ViewPublisher {
  private readonly queue = new Map<string, Queued>();
  /** Sessions whose tablets' vote progress was held back (for its gap, and behind other publications). */
  private readonly progressLane = new Map<string, ProgressDue>();
  private readonly lastPublished = new Map<string, number>();
  /** Per session, per delegate: the personal part last pushed (JSON), so an unchanged one is not sent again. */
  private readonly sentPersonal = new Map<string, Map<string, string>>();
  /** Per view room: the view it was last sent, the base of its next patch. */
  private readonly sentViews = new Map<string, SessionView>();
  /** Per view room: sockets that joined since its last publication, which get the whole view. */
  private readonly joiners = new Map<string, Set<string>>();
  /**
   * Per session: the state (context and seq) whose own parts `sentPersonal` holds; the next publication computes only
   * the ones that differ.
   */
  private readonly personalBase = new Map<string, { context: SessionContext; seq: number }>();
  /**
   * Per session: delegates whose part the next publication builds and compares whatever changed since its base — who
   * (re)joined since (their part goes out), and whose part an ack delivered (it may be newer than that base, and a
   * later change may have brought the state back to the base's while the tablet holds the acked part).
   */
  private readonly recheck = new Map<string, Set<string>>();
  /** Per session: when its tablets' shared view was last pushed (Date.now()) and the state it was projected from. */
  private readonly tabletsSent = new Map<string, { at: number; snapshot: SessionSnapshot }>();
  private timer: { cancel: () => void } | null = null;
  private armedFor = 0;
  private publishing = false;
  private closed = false;
  private coolUntil = 0;
  private readonly flushMs: number;
  private readonly minGapMs: number;
  private readonly share: number;
  private readonly clock: () => number;
  private readonly stormRate: number;
  private readonly progressGapMs: number;
  private readonly progressPushesPerSec: number;
  /** Per session: its tablets' sockets on this node at its last publication, and their sum (the progress budget's share). */
  private readonly tabletSockets = new Map<string, number>();
  private tabletSocketsTotal = 0;
  private commands = 0;
  /** Views emitted (one per room or batch of sockets, whatever its size), for metrics and tests. */
  views = 0;
  /** Time spent publishing, ms: bench and metrics read it to tell publishing from command handling. */
  busyMs = 0;

  constructor(
    private readonly io: Server,
    options: PublisherOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 15;
    this.minGapMs = options.minGapMs ?? 100;
    this.share = Math.min(1, Math.max(0.05, options.share ?? 0.5));
    this.clock = options.clock ?? (() => performance.now());
    this.stormRate = options.stormRate ?? 200;
    this.progressGapMs = Math.max(0, options.progressGapMs ?? 1000);
    this.progressPushesPerSec = Math.max(1, options.progressPushesPerSec ?? 5000);
  }

  /** A local room changed (its owner publishes it, then hands the state to the other nodes). */
  changed(room: SessionRoom) {
    this.enqueue(room, true);
  }

  /** Another node's session changed: publish the replicated state to this node's sockets. */
  replicaChanged(sessionId: string, snapshot: SessionSnapshot, seq: number) {
    this.enqueue({ sessionId, snapshot, seq }, false);
  }

  private enqueue(source: ViewSource, local: boolean) {
    const queued = this.queue.get(source.sessionId);
    if (queued) {
      queued.source = source;
      queued.local = local;
      return;
    }
    const due = Math.max(Date.now() + this.flushMs, (this.lastPublished.get(source.sessionId) ?? 0) + this.minGapMs);
    this.queue.set(source.sessionId, { source, local, due });
    this.arm();
  }

  /**
   * The tablets were not sent this state's vote progress: it goes from `due` on, in the progress lane, from the
   * session's newest state then. A wait already running keeps its place — later states only bring newer progress.
   */
  private progressPending(source: ViewSource, due: number) {
    if (this.closed) return;
    const waiting = this.progressLane.get(source.sessionId);
    if (waiting) waiting.source = source;
    else this.progressLane.set(source.sessionId, { source, due });
  }

  /** A command arrived (the gateway tells): how busy with commands the node is decides whether publishing yields. */
  commandArrived() {
    this.commands++;
  }

  /** A delegate socket (re)joined with a complete view: whatever we pushed before, send their part again next time. */
  rejoined(sessionId: string, delegateId: string) {
    this.sentPersonal.get(sessionId)?.delete(delegateId);
    this.recheckPart(sessionId, delegateId);
  }

  private recheckPart(sessionId: string, delegateId: string) {
    let ids = this.recheck.get(sessionId);
    if (!ids) this.recheck.set(sessionId, (ids = new Set()));
    ids.add(delegateId);
  }

  /**
   * A command's ack carried `part` to the delegate's socket `socketId`. It counts as pushed — the next publication
   * sends that delegate a part only if theirs differs from it — when that socket is the delegate's only one on this
   * node (a phone beside the tablet still needs the push) and no publication has built parts from a newer state
   * already (what it recorded stands; the tablet drops the older part). Returns whether it was recorded.
   */
  personalDelivered(sessionId: string, delegateId: string, part: PersonalView, socketId: string): boolean {
    const sockets = this.io.of('/').adapter.rooms.get(delegateRoom(sessionId, delegateId));
    if (sockets?.size !== 1 || !sockets.has(socketId)) return false;
    const base = this.personalBase.get(sessionId);
    if (base && part.seq < base.seq) return false;
    let sent = this.sentPersonal.get(sessionId);
    if (!sent) this.sentPersonal.set(sessionId, (sent = new Map()));
    sent.set(delegateId, partKey(part));
    this.recheckPart(sessionId, delegateId);
    return true;
  }

  /**
   * A socket joined a view room (before its join answer is read): its next push is the whole view, since it holds no
   * view the room's next patch starts from.
   */
  joinedRoom(room: string, socketId: string) {
    let sockets = this.joiners.get(room);
    if (!sockets) this.joiners.set(room, (sockets = new Set()));
    sockets.add(socketId);
  }

  /** Set in a cluster: the owner sends each flushed state once to the other nodes. */
  onPublished: ((room: SessionRoom) => void) | null = null;

  private arm() {
    if (this.publishing || this.closed || this.queue.size + this.progressLane.size === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const q of this.queue.values()) next = Math.min(next, q.due);
    for (const p of this.progressLane.values()) next = Math.min(next, p.due);
    const at = Math.max(next, this.coolUntil);
    // A session that became due sooner than the one the timer waits for must not wait behind it.
    if (this.timer && this.armedFor <= at) return;
    this.timer?.cancel();
    this.armedFor = at;
    const run = () => void this.tick();
    // Due now: the next turn of the event loop (after the I/O waiting, so commands still go first), not the next timers
    // phase a millisecond or more away. With a hundred halls voting, one publication per timers phase was what held
    // every chair's tally back.
    if (at - Date.now() < 1) {
      const handle = setImmediate(run);
      this.timer = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(run, at - Date.now());
      this.timer = { cancel: () => clearTimeout(handle) };
    }
  }

  private async tick() {
    this.timer = null;
    // Every session due when the tick starts is published in it, several in one turn of the event loop while they are
    // small (a storm's publications are mostly a chair's patch and a voter's own part, a few sockets each): one turn
    // per publication was what kept a hundred chairs' tallies waiting in line. A tick stops taking more after
    // TICK_BUDGET_MS of work, so the share below still leaves commands their part of the loop.
    const horizon = Date.now();
    const turn: Turn = { started: this.clock(), written: 0, cost: 0 };
    const commandsBefore = this.commands;
    const startedAt = this.clock();
    this.publishing = true;
    try {
      for (let pick = this.dueBy(horizon); pick && !this.closed && this.spent(turn) < TICK_BUDGET_MS; pick = this.dueBy(horizon)) {
        const { sessionId, source, local, progressOnly } = pick;
        if (progressOnly) {
          this.progressLane.delete(sessionId);
        } else {
          this.queue.delete(sessionId);
          this.lastPublished.set(sessionId, Date.now());
        }
        await this.publish(source, local, progressOnly, turn);
      }
    } finally {
      this.publishing = false;
    }
    const cost = this.spent(turn);
    this.busyMs += cost;
    const elapsed = Math.max(1, this.clock() - startedAt);
    const storm = ((this.commands - commandsBefore) * 1000) / elapsed >= this.stormRate;
    this.coolUntil = storm ? Date.now() + (cost * (1 - this.share)) / this.share : 0;
    this.arm();
  }

  /**
   * The publication waiting longest of those due by `horizon`, so a storm in one hall does not starve the others'
   * views — the tablets' vote progress counted as PROGRESS_YIELD_MS younger than it is, so it goes after the rest.
   */
  private dueBy(horizon: number): { sessionId: string; source: ViewSource; local: boolean; progressOnly: boolean } | null {
    let pick: { sessionId: string; source: ViewSource; local: boolean; progressOnly: boolean } | null = null;
    let rank = Number.POSITIVE_INFINITY;
    for (const [sessionId, q] of this.queue) {
      if (q.due <= horizon && q.due < rank) [pick, rank] = [{ sessionId, source: q.source, local: q.local, progressOnly: false }, q.due];
    }
    for (const [sessionId, p] of this.progressLane) {
      const ranked = p.due + PROGRESS_YIELD_MS;
      if (p.due <= horizon && ranked < rank) [pick, rank] = [{ sessionId, source: p.source, local: false, progressOnly: true }, ranked];
    }
    return pick;
  }

  /** Publishing work of this tick so far, ms. */
  private spent(turn: Turn) {
    return turn.cost + (this.clock() - turn.started);
  }

  /** Ends this turn of the event loop (commands that arrived meanwhile run) once it has written or worked enough. */
  private async yieldIfSpent(turn: Turn) {
    const spent = this.clock() - turn.started;
    if (turn.written < SLICE_SOCKETS && spent < TURN_BUDGET_MS) return;
    turn.cost += spent;
    await nextTurn();
    turn.started = this.clock();
    turn.written = 0;
  }

  /**
   * One publication: every view projected at once (one consistent state), then written a slice of sockets at a time
   * with a turn of the event loop between slices, so commands arriving meanwhile are handled (and acked) in between.
   */
  private async publish(source: ViewSource, local: boolean, progressOnly: boolean, turn: Turn) {
    try {
      await this.yieldIfSpent(turn);
      const { sessionId, snapshot, seq } = source;
      // A state published again for the tablets' held progress: every other room and every own part already has it,
      // and the other nodes too.
      const { sends, heldUntil } = progressOnly ? this.tabletsOnly(sessionId, snapshot, seq) : this.sendsFor(sessionId, snapshot, seq);
      if (heldUntil !== undefined) this.progressPending(source, heldUntil);
      if (local && !progressOnly) this.onPublished?.(source as SessionRoom);
      for (const send of sends) {
        const members = this.io.of('/').adapter.rooms.get(send.room);
        if (!members?.size) continue;
        const filter = send.only ?? (send.except?.size ? send.except : null);
        const ids = filter || members.size > SLICE_SOCKETS ? [...members].filter((id) => (send.only ? send.only.has(id) : !filter?.has(id))) : null;
        if (ids?.length === 0) continue;
        for (let from = 0; from < (ids?.length ?? 1); from += SLICE_SOCKETS) {
          await this.yieldIfSpent(turn);
          // Local only: with a cluster adapter a plain `to()` would also reach other nodes, which publish for themselves.
          const target = ids ? ids.slice(from, from + SLICE_SOCKETS) : send.room;
          this.io.local.to(target).emit(send.event, send.payload);
          this.views++;
          turn.written += ids ? target.length : members.size;
        }
      }
    } catch (err) {
      // One session's projection failing must not stop the others' views.
      console.error('view projection failed', source.sessionId, err);
    }
  }

  /**
   * Everything one state sends on this node, in order: staff/wall/public views, delegates' own parts, the shared view;
   * and, when the tablets' vote progress was held back, when it may go.
   */
  private sendsFor(sessionId: string, snapshot: SessionSnapshot, seq: number): Publication {
    const sends: Send[] = [];
    for (const audience of VIEW_AUDIENCES) {
      const room = audienceRoom(sessionId, audience);
      if (this.occupied(room)) this.viewSends(room, withoutCouncil(project(snapshot, seq, audience)), sends);
      else this.forget(room);
    }
    const councilRoom = oversightCouncilRoom(snapshot.context.council.id);
    const watchers = [OVERSIGHT_ALL_ROOM, councilRoom].filter((room) => this.occupied(room));
    if (watchers.length) {
      const glance = glanceOf(project(snapshot, seq, 'wall'));
      for (const room of watchers) sends.push({ room, event: 'oversight:glance', payload: glance });
    }
    if (!this.occupied(delegatesRoom(sessionId))) {
      this.forgetTablets(sessionId);
      return { sends };
    }
    this.personalSends(sessionId, snapshot, seq, sends);
    return { sends, heldUntil: this.tabletSends(sessionId, snapshot, seq, sends, false) };
  }

  /**
   * Own parts go first: a tablet completes the shared view that follows with the newest part it holds. Only the parts
   * that may have changed since the last publication are built (the voters of a storm, not the hall), and of those
   * only the ones that did are sent; a delegate who (re)joined since gets theirs anyway.
   */
  private personalSends(sessionId: string, snapshot: SessionSnapshot, seq: number, sends: Send[]) {
    let sent = this.sentPersonal.get(sessionId);
    if (!sent) this.sentPersonal.set(sessionId, (sent = new Map()));
    const base = this.personalBase.get(sessionId);
    const touched = base ? ownPartsTouched(base.context, snapshot.context) : null;
    this.personalBase.set(sessionId, { context: snapshot.context, seq });
    const recheck = this.recheck.get(sessionId);
    this.recheck.delete(sessionId);
    // Whoever is neither touched nor to be rechecked holds a part that is still right: only the others are built (a
    // room lookup per delegate of the hall, per publication, was a measurable part of a storm).
    const candidates = touched ? new Set([...touched, ...(recheck ?? [])]) : snapshot.context.council.delegates.map((d) => d.id);
    const due: string[] = [];
    for (const id of candidates) {
      if (this.occupied(delegateRoom(sessionId, id))) due.push(id);
      else sent.delete(id);
    }
    for (const [id, part] of personalParts(snapshot, seq, due)) {
      const key = partKey(part);
      if (sent.get(id) === key) continue;
      sent.set(id, key);
      sends.push({ room: delegateRoom(sessionId, id), event: 'session:personal', payload: part });
    }
  }

  private tabletsOnly(sessionId: string, snapshot: SessionSnapshot, seq: number): Publication {
    const sends: Send[] = [];
    if (!this.occupied(delegatesRoom(sessionId))) return { sends };
    return { sends, heldUntil: this.tabletSends(sessionId, snapshot, seq, sends, true) };
  }

  /**
   * The tablets' shared view, except a change that is only vote progress: that goes from the progress lane (`inLane`),
   * once its gap after the tablets' last push has passed, and the method returns when it may go. Whether a change is
   * only progress is told from the states when it can be (no view built), else from the patch. Sockets that joined
   * since get the whole view at once.
   */
  private tabletSends(sessionId: string, snapshot: SessionSnapshot, seq: number, sends: Send[], inLane: boolean): number | undefined {
    const room = delegatesRoom(sessionId);
    const last = this.tabletsSent.get(sessionId);
    const now = Date.now();
    const gap = this.progressGap(sessionId, this.io.of('/').adapter.rooms.get(room)?.size ?? 0);
    // When progress alone may go, or undefined: now (the lane's turn came after the gap), or nothing was pushed yet.
    let progressAt: number | undefined;
    if (last !== undefined && !this.joiners.get(room)?.size) {
      const afterGap = last.at + gap;
      if (!inLane) progressAt = Math.max(now, afterGap);
      else if (now < afterGap) progressAt = afterGap;
    }
    const base = this.sentViews.get(room);
    if (progressAt !== undefined && base && seq > base.seq && onlyVoteProgressBetween(last!.snapshot, snapshot)) return progressAt;
    const view = withoutCouncil(sharedDelegateView(snapshot, seq));
    const patch = base && view.seq > base.seq ? viewPatch(base, view) : undefined;
    if (progressAt !== undefined && patch && onlyVoteProgress(patch.ops)) return progressAt;
    const before = sends.length;
    this.viewSends(room, view, sends, patch);
    if (sends.length > before) {
      this.tabletsSent.set(sessionId, { at: now, snapshot });
      // The tablets have this state now, progress and all.
      this.progressLane.delete(sessionId);
    }
    return undefined;
  }

  /**
   * The least time between two progress pushes to one hall's tablets: `progressGapMs`, or longer when every hall's
   * tablets on this node together would take more than `progressPushesPerSec` pushes.
   */
  private progressGap(sessionId: string, sockets: number) {
    this.tabletSocketsTotal += sockets - (this.tabletSockets.get(sessionId) ?? 0);
    if (sockets > 0) this.tabletSockets.set(sessionId, sockets);
    else this.tabletSockets.delete(sessionId);
    return Math.max(this.progressGapMs, (this.tabletSocketsTotal * 1000) / this.progressPushesPerSec);
  }

  /** A room's view: whole to its joiners (and to all when it has no earlier one), a patch to everyone else. */
  private viewSends(room: string, view: SessionView, sends: Send[], patch?: ViewPatch) {
    const base = this.sentViews.get(room);
    // A replica's older state arriving late must not become the base of a patch that would go backwards.
    if (base && view.seq < base.seq) return;
    const joiners = this.joiners.get(room) ?? new Set<string>();
    this.joiners.delete(room);
    this.sentViews.set(room, view);
    if (!base) return void sends.push({ room, event: 'session:view', payload: view });
    if (joiners.size) sends.push({ room, event: 'session:view', payload: view, only: joiners });
    if (view.seq > base.seq) sends.push({ room, event: 'session:patch', payload: patch ?? viewPatch(base, view), except: joiners });
  }

  /** Whether any socket on this node follows the session: a view room of it or its tablets' room is occupied. */
  watching(sessionId: string): boolean {
    return VIEW_AUDIENCES.some((audience) => this.occupied(audienceRoom(sessionId, audience))) || this.occupied(delegatesRoom(sessionId));
  }

  /**
   * The session's room was closed while no socket here followed it (SessionRegistry.retireIdle): what was kept for
   * its next publication goes too. Whoever joins later gets whole views, as after any empty spell.
   */
  forgetSession(sessionId: string) {
    for (const audience of VIEW_AUDIENCES) this.forget(audienceRoom(sessionId, audience));
    this.forgetTablets(sessionId);
    this.sentPersonal.delete(sessionId);
    this.lastPublished.delete(sessionId);
  }

  /** No tablet of the session is left here: their shared view, progress and own-part base start afresh. */
  private forgetTablets(sessionId: string) {
    this.forget(delegatesRoom(sessionId));
    this.tabletsSent.delete(sessionId);
    this.progressLane.delete(sessionId);
    this.progressGap(sessionId, 0);
    this.personalBase.delete(sessionId);
    this.recheck.delete(sessionId);
  }

  /** Nobody is left in the room: whoever comes joins and gets a whole view. */
  private forget(room: string) {
    this.sentViews.delete(room);
    this.joiners.delete(room);
  }

  private occupied(room: string) {
    return (this.io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0;
  }

  close() {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    this.queue.clear();
    this.progressLane.clear();
  }
}
