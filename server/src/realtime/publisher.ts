/**
 * Pushes views to audience rooms. Views are "the current state at seq N", so a burst of events (85 ballots in a few
 * seconds) is coalesced into one publication per session: a client that misses an intermediate view loses nothing.
 *
 * A publication projects each audience once. The delegates of a session share one view (one encoding for the whole
 * hall) and each delegate whose own part changed gets that part first (views/wire.ts); pushed snapshots leave out the
 * frozen council.
 *
 * Commands come before views: publications run one at a time and, together, use at most `share` of the event loop —
 * after a publication that took c ms the next waits c·(1−share)/share ms. Acks are what make a ballot count; a view
 * that comes 200 ms later costs nobody anything, a late ack makes a tablet resend.
 */
import {
  personalOf,
  project,
  sharedDelegateView,
  withoutCouncil,
  type Audience,
  type SessionSnapshot,
  type SessionView,
} from '@hall/core';
import type { Server } from 'socket.io';
import type { SessionRoom } from '../runtime/session-room.ts';

export const audienceRoom = (sessionId: string, audience: Exclude<Audience, 'delegate'>) => `s:${sessionId}:${audience}`;
/** Every delegate socket of a session: receives the shared delegate view. */
export const delegatesRoom = (sessionId: string) => `s:${sessionId}:delegates`;
/** One delegate's sockets (a delegate may have a tablet and a phone): receives their personal part. */
export const delegateRoom = (sessionId: string, delegateId: string) => `s:${sessionId}:d:${delegateId}`;

export interface PublisherOptions {
  /** Coalescing delay after the first change of a quiet session. */
  flushMs?: number;
  /**
   * Least time between two publications of one session: in a vote storm a session publishes a few times a second,
   * not once per ballot. A voter's own "recorded" comes from the ack, not from a view.
   */
  minGapMs?: number;
  /** Most of the event loop that publishing may take while commands wait (0 < share ≤ 1). */
  share?: number;
  /** Monotonic ms clock that measures what a publication cost (tests pass a fake one). */
  clock?: () => number;
}

interface Queued {
  room: SessionRoom;
  due: number;
}

export class ViewPublisher {
  private readonly queue = new Map<string, Queued>();
  private readonly lastPublished = new Map<string, number>();
  /** Per session, per delegate: the personal part last pushed (JSON), so an unchanged one is not sent again. */
  private readonly sentPersonal = new Map<string, Map<string, string>>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = 0;
  private coolUntil = 0;
  private readonly flushMs: number;
  private readonly minGapMs: number;
  private readonly share: number;
  private readonly clock: () => number;
  /** Views emitted (one per room, whatever its size), for metrics and tests. */
  views = 0;
  /** Time spent publishing, ms: bench and metrics read it to tell publishing from command handling. */
  busyMs = 0;

  constructor(
    private readonly io: Server,
    options: PublisherOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 15;
    this.minGapMs = options.minGapMs ?? 200;
    this.share = Math.min(1, Math.max(0.05, options.share ?? 0.5));
    this.clock = options.clock ?? (() => performance.now());
  }

  changed(room: SessionRoom) {
    const queued = this.queue.get(room.sessionId);
    if (queued) {
      queued.room = room;
      return;
    }
    const now = Date.now();
    const due = Math.max(now + this.flushMs, (this.lastPublished.get(room.sessionId) ?? 0) + this.minGapMs);
    this.queue.set(room.sessionId, { room, due });
    this.arm();
  }

  /** A delegate socket (re)joined with a complete view: whatever we pushed before, send their part again next time. */
  rejoined(sessionId: string, delegateId: string) {
    this.sentPersonal.get(sessionId)?.delete(delegateId);
  }

  /** Set in a cluster: the owner sends each flushed state once to the other nodes. */
  onPublished: ((room: SessionRoom) => void) | null = null;

  private arm() {
    if (this.queue.size === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const q of this.queue.values()) next = Math.min(next, q.due);
    const at = Math.max(next, this.coolUntil);
    // A session that became due sooner than the one the timer waits for must not wait behind it.
    if (this.timer && this.armedFor <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(() => this.tick(), Math.max(0, at - Date.now()));
  }

  private tick() {
    this.timer = null;
    const now = Date.now();
    // The session waiting longest goes first, so a storm in one hall does not starve the others' views.
    let pick: [string, Queued] | null = null;
    for (const entry of this.queue) if (entry[1].due <= now && (!pick || entry[1].due < pick[1].due)) pick = entry;
    if (pick) {
      const [sessionId, { room }] = pick;
      this.queue.delete(sessionId);
      this.lastPublished.set(sessionId, now);
      const started = this.clock();
      try {
        this.publishSnapshot(sessionId, room.snapshot, room.seq);
        this.onPublished?.(room);
      } catch (err) {
        // One session's projection failing must not stop the others' views.
        console.error('view projection failed', sessionId, err);
      }
      const cost = this.clock() - started;
      this.busyMs += cost;
      this.coolUntil = Date.now() + (cost * (1 - this.share)) / this.share;
    }
    this.arm();
  }

  /** Projects one state for this node's sockets only (in a cluster, every node does this for its own). */
  publishSnapshot(sessionId: string, snapshot: SessionSnapshot, seq: number) {
    for (const audience of ['chair', 'secretary', 'wall', 'public'] as const) {
      const name = audienceRoom(sessionId, audience);
      if (this.occupied(name)) this.emit(name, 'session:view', withoutCouncil(project(snapshot, seq, audience)));
    }
    if (!this.occupied(delegatesRoom(sessionId))) return;
    // Own parts first: a tablet completes the shared view that follows with the newest part it holds.
    let sent = this.sentPersonal.get(sessionId);
    if (!sent) this.sentPersonal.set(sessionId, (sent = new Map()));
    for (const d of snapshot.context.council.delegates) {
      const room = delegateRoom(sessionId, d.id);
      if (!this.occupied(room)) {
        sent.delete(d.id);
        continue;
      }
      const part = personalOf(snapshot, seq, d.id);
      // Compare without the seq: an unchanged part stays valid for every later state.
      const key = JSON.stringify([part.me, part.mine]);
      if (sent.get(d.id) === key) continue;
      sent.set(d.id, key);
      this.emit(room, 'session:personal', part);
    }
    this.emit(delegatesRoom(sessionId), 'session:view', withoutCouncil(sharedDelegateView(snapshot, seq)));
  }

  private occupied(room: string) {
    return (this.io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0;
  }

  private emit(room: string, event: 'session:view' | 'session:personal', payload: SessionView | object) {
    this.views++;
    // Local only: with a cluster adapter a plain `to()` would also reach other nodes, which project for themselves.
    this.io.local.to(room).emit(event, payload);
  }

  close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.clear();
  }
}
