/**
 * Pushes views to audience rooms. Views are "the current state at seq N", so a burst of events (85 ballots in a few
 * seconds) is coalesced into one projection per audience per flush: a client that misses an intermediate view loses
 * nothing, and a vote storm costs O(audiences) projections instead of O(events × audiences).
 */
import { project, projectDelegates, type Audience, type SessionSnapshot, type SessionView } from '@hall/core';
import type { Server } from 'socket.io';
import type { SessionRoom } from '../runtime/session-room.ts';

export const audienceRoom = (sessionId: string, audience: Exclude<Audience, 'delegate'>) => `s:${sessionId}:${audience}`;
export const delegateRoom = (sessionId: string, delegateId: string) => `s:${sessionId}:d:${delegateId}`;

export class ViewPublisher {
  private readonly pending = new Map<string, { room: SessionRoom; timer: NodeJS.Timeout }>();
  private readonly lastPublished = new Map<string, number>();
  views = 0;

  /**
   * @param flushMs   coalescing delay after the first change of a quiet session
   * @param minGapMs  least time between two publications of one session: in a vote storm a session publishes a few
   *                  times a second, not once per ballot (each publication projects one view per tablet). A voter's
   *                  own "recorded" comes from the ack, not from a view, so this costs nobody their confirmation.
   */
  constructor(
    private readonly io: Server,
    private readonly flushMs = 15,
    private readonly minGapMs = 200,
  ) {}

  changed(room: SessionRoom) {
    const queued = this.pending.get(room.sessionId);
    if (queued) {
      queued.room = room;
      return;
    }
    const since = Date.now() - (this.lastPublished.get(room.sessionId) ?? 0);
    const delay = Math.max(this.flushMs, this.minGapMs - since);
    const timer = setTimeout(() => this.flush(room.sessionId), delay);
    this.pending.set(room.sessionId, { room, timer });
  }

  private flush(sessionId: string) {
    const queued = this.pending.get(sessionId);
    this.pending.delete(sessionId);
    if (!queued) return;
    this.lastPublished.set(sessionId, Date.now());
    try {
      this.publish(queued.room);
    } catch (err) {
      // One session's projection failing must not stop the others' views.
      console.error('view projection failed', sessionId, err);
    }
  }

  /** Set in a cluster: the owner sends each flushed state once to the other nodes. */
  onPublished: ((room: SessionRoom) => void) | null = null;

  private publish(room: SessionRoom) {
    this.publishSnapshot(room.sessionId, room.snapshot, room.seq);
    this.onPublished?.(room);
  }

  /** Projects one state for this node's sockets only (in a cluster, every node does this for its own). */
  publishSnapshot(sessionId: string, snapshot: SessionSnapshot, seq: number) {
    for (const audience of ['chair', 'secretary', 'wall', 'public'] as const) {
      const name = audienceRoom(sessionId, audience);
      if (this.occupied(name)) this.emit(name, project(snapshot, seq, audience));
    }
    const listening = snapshot.context.council.delegates.map((d) => d.id).filter((id) => this.occupied(delegateRoom(sessionId, id)));
    for (const [id, view] of projectDelegates(snapshot, seq, listening)) this.emit(delegateRoom(sessionId, id), view);
  }

  private occupied(room: string) {
    return (this.io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0;
  }

  private emit(room: string, view: SessionView) {
    this.views++;
    // Local only: with a cluster adapter a plain `to()` would also reach other nodes, which project for themselves.
    this.io.local.to(room).emit('session:view', view);
  }

  close() {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
