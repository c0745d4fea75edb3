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
  private readonly dirty = new Map<string, SessionRoom>();
  private timer: NodeJS.Timeout | null = null;
  views = 0;

  constructor(
    private readonly io: Server,
    private readonly flushMs = 15,
  ) {}

  changed(room: SessionRoom) {
    this.dirty.set(room.sessionId, room);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  flush() {
    this.timer = null;
    const rooms = [...this.dirty.values()];
    this.dirty.clear();
    for (const room of rooms) {
      try {
        this.publish(room);
      } catch (err) {
        // One session's projection failing must not stop the others' views.
        console.error('view projection failed', room.sessionId, err);
      }
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
