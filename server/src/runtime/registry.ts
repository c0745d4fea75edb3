/**
 * Live sessions by id. Opening a room is single-flight (two joins racing open one actor), and a session that fails
 * to open (a corrupt journal, say) fails alone: other sessions keep running.
 */
import { SessionSetup } from '@hall/core';
import type { Catalog, SessionRecord } from '../store/types.ts';
import { SessionRoom, type RoomDeps } from './session-room.ts';

export class SessionNotFoundError extends Error {}

/** Multi-node: another node holds the session's lease. */
export class NotOwnerError extends Error {
  constructor(
    readonly sessionId: string,
    readonly holder: string | null,
  ) {
    super(`session ${sessionId} is owned by ${holder ?? 'nobody (lease being taken over)'}`);
  }
}

/** Multi-node ownership: a lease must be held before a session's actor may run here (cluster.ts implements it). */
export interface Ownership {
  acquire(sessionId: string): Promise<{ ok: true } | { ok: false; holder: string | null }>;
  release(sessionId: string): Promise<void>;
}

export class SessionRegistry {
  private readonly rooms = new Map<string, Promise<SessionRoom>>();

  private readonly deps: RoomDeps;

  constructor(
    private readonly catalog: Catalog,
    deps: RoomDeps,
    private readonly ownership: Ownership | null = null,
  ) {
    this.deps = {
      ...deps,
      onStatus: async (sessionId, status) => {
        const record = await catalog.getSession(sessionId);
        if (record && record.status !== status) await catalog.putSession({ ...record, status });
      },
    };
  }

  /** The catalog's session changed: a room that has not frozen its setup yet is rebuilt on next use. */
  async invalidate(sessionId: string) {
    const pending = this.rooms.get(sessionId);
    if (!pending) return;
    const room = await pending.catch(() => null);
    if (room && !room.frozen) {
      this.rooms.delete(sessionId);
      await room.close();
    }
  }

  get(sessionId: string): Promise<SessionRoom> {
    let room = this.rooms.get(sessionId);
    if (!room) {
      room = this.open(sessionId);
      this.rooms.set(sessionId, room);
      // A failed open is not cached: the next request tries again (the cause may have been a store blip).
      room.catch(() => this.rooms.delete(sessionId));
    }
    return room;
  }

  /** Rooms already open, without opening any. */
  async openRooms(): Promise<SessionRoom[]> {
    const settled = await Promise.allSettled(this.rooms.values());
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** The room if it runs on this node, without opening or acquiring anything. */
  async local(sessionId: string): Promise<SessionRoom | null> {
    const pending = this.rooms.get(sessionId);
    return pending ? pending.catch(() => null) : null;
  }

  /** Drops a room whose lease was lost (or is being given up). */
  async drop(sessionId: string) {
    const room = await this.local(sessionId);
    this.rooms.delete(sessionId);
    await room?.close();
    await this.ownership?.release(sessionId).catch(() => undefined);
  }

  private async open(sessionId: string): Promise<SessionRoom> {
    const record = await this.catalog.getSession(sessionId);
    if (!record) throw new SessionNotFoundError(sessionId);
    if (this.ownership) {
      const lease = await this.ownership.acquire(sessionId);
      if (!lease.ok) throw new NotOwnerError(sessionId, lease.holder);
    }
    try {
      return await this.openRoom(sessionId, record);
    } catch (err) {
      await this.ownership?.release(sessionId).catch(() => undefined);
      throw err;
    }
  }

  private openRoom(sessionId: string, record: SessionRecord): Promise<SessionRoom> {
    return SessionRoom.open(
      sessionId,
      async () => {
        const council = await this.catalog.getCouncil(record.councilId);
        if (!council) throw new SessionNotFoundError(`council ${record.councilId}`);
        return SessionSetup.parse({ sessionId, title: record.title, council, agenda: record.agenda });
      },
      this.deps,
    );
  }

  /** On boot: reopen every session that has a journal or a snapshot, so deadlines re-arm without waiting for a client. */
  async restoreAll(sessionIds: string[]): Promise<{ restored: string[]; failed: { sessionId: string; error: string }[] }> {
    const restored: string[] = [];
    const failed: { sessionId: string; error: string }[] = [];
    for (const id of sessionIds) {
      try {
        await this.get(id);
        restored.push(id);
      } catch (err) {
        if (err instanceof NotOwnerError) continue; // another node runs it
        failed.push({ sessionId: id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { restored, failed };
  }

  async closeAll() {
    const rooms = await this.openRooms();
    await Promise.all(rooms.map((r) => r.close()));
    this.rooms.clear();
  }
}
