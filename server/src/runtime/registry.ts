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

/**
 * Multi-node ownership: a lease must be held before a session's actor may run here (cluster.ts implements it). Each
 * acquisition yields a fresh token that the room's every write carries (fencing); release gives up exactly that
 * token, never a newer one the same node took meanwhile.
 */
export interface Ownership {
  acquire(sessionId: string): Promise<{ ok: true; token: string } | { ok: false; holder: string | null }>;
  release(sessionId: string, token: string): Promise<void>;
}

/**
 * Sessions restored at once on boot: enough that while one replays, the next ones' files are read and verified (the
 * embedded store verifies on a second thread), few enough to keep memory flat.
 */
const RESTORE_CONCURRENCY = 8;

export class SessionRegistry {
  private readonly rooms = new Map<string, Promise<SessionRoom>>();
  /** Each pending room once it has opened, so a caller can read an open room without awaiting (`councilOf`). */
  private readonly opened = new WeakMap<Promise<SessionRoom>, SessionRoom>();
  private closing = false;
  /** Per session: when this node last asked for its room (a command, a view, a join), the clock of `retireIdle`. */
  private readonly lastAsked = new Map<string, number>();

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
      onNeedsReopen: (room) => void this.reopen(room),
    };
  }

  /**
   * Replaces a room that may disagree with the journal by one opened from it (its deadlines re-armed), trying again
   * while the store cannot be read. Gives up when the registry has moved on (another room, or the session elsewhere).
   */
  private async reopen(room: SessionRoom, attempt = 0): Promise<void> {
    if (this.closing) return;
    if (attempt === 0) await this.drop(room.sessionId, room);
    else if (this.rooms.has(room.sessionId)) return;
    try {
      await this.get(room.sessionId);
    } catch (err) {
      if (err instanceof NotOwnerError || err instanceof SessionNotFoundError) return;
      const delay = Math.min(5000, 250 * 2 ** attempt);
      setTimeout(() => void this.reopen(room, attempt + 1), delay).unref();
    }
  }

  /**
   * The catalog's session changed: a room that has not frozen its setup yet is rebuilt on next use, and the room of a
   * session that was deleted is closed (`councilOf` must not answer for it).
   */
  async invalidate(sessionId: string) {
    const pending = this.rooms.get(sessionId);
    if (!pending) return;
    const room = await pending.catch(() => null);
    if (room && (!room.frozen || !(await this.catalog.getSession(sessionId)))) {
      this.rooms.delete(sessionId);
      await room.close();
    }
  }

  get(sessionId: string): Promise<SessionRoom> {
    this.lastAsked.set(sessionId, this.deps.now());
    let room = this.rooms.get(sessionId);
    if (!room) {
      const pending = (room = this.open(sessionId));
      this.rooms.set(sessionId, room);
      // A failed open is not cached: the next request tries again (the cause may have been a store blip).
      room.then(
        (opened) => this.opened.set(pending, opened),
        () => {
          this.rooms.delete(sessionId);
          this.lastAsked.delete(sessionId);
        },
      );
    }
    return room;
  }

  /**
   * The council of the session's room open on this node once its setup is frozen (its first command fixed the council
   * for good: the catalog refuses to move a started session), without awaiting or opening anything; null otherwise. So
   * a storm's commands are authorized without reading the catalog — a store round trip per ballot in a cluster.
   */
  councilOf(sessionId: string): string | null {
    const pending = this.rooms.get(sessionId);
    const room = pending && this.opened.get(pending);
    return room && room.frozen && !room.lostLease && !room.needsReopen ? room.snapshot.context.council.id : null;
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

  /**
   * Drops a room that lost its lease, must be reopened, or is being given up. Only that room: if the registry already
   * holds a newer one for the session, it stays. The room's own lease token is released (compare-and-delete).
   */
  async drop(sessionId: string, which?: SessionRoom | string) {
    const pending = this.rooms.get(sessionId);
    const room = pending ? await pending.catch(() => null) : null;
    if (which !== undefined && room && (typeof which === 'string' ? room.fence !== which : room !== which)) return;
    if (pending && this.rooms.get(sessionId) === pending) this.rooms.delete(sessionId);
    // Commands still queued in the room must not try to write: with its lease gone or Redis away, each would wait out
    // its own timeouts behind the others before being refused (minutes for a full queue). They answer UNAVAILABLE at
    // once, having written nothing, and are routed again.
    if (room) room.lostLease = true;
    await this.closeAndRelease(sessionId, room, room?.fence ?? (typeof which === 'string' ? which : null));
  }

  /** Closes a room that has left the registry and gives up its lease token (compare-and-delete: only that one). */
  private async closeAndRelease(sessionId: string, room: SessionRoom | null, token: string | null) {
    await room?.close();
    if (token !== null) await this.ownership?.release(sessionId, token).catch(() => undefined);
  }

  /**
   * Closes the rooms of adjourned sittings that nobody on this node has asked for in `idleMs` and that `watched` says
   * no socket here follows, so that a server running for weeks holds the sittings in progress, not every sitting it
   * has served. Each goes only while it is `retirable` (nothing queued, armed or unsettled). It leaves the registry
   * before it closes, so the next command or view opens a fresh room from the journal (acks of its commands
   * included); in a cluster its lease is released, and the store lets go of the journal's open file. Returns the
   * sessions retired.
   */
  async retireIdle(idleMs: number, watched: (sessionId: string) => boolean): Promise<string[]> {
    const now = this.deps.now();
    // Sessions whose room closed another way (dropped, invalidated): their clock has nothing left to time.
    for (const sessionId of this.lastAsked.keys()) if (!this.rooms.has(sessionId)) this.lastAsked.delete(sessionId);
    const retiring: SessionRoom[] = [];
    for (const [sessionId, pending] of this.rooms) {
      const room = this.opened.get(pending);
      if (!room?.retirable || now - (this.lastAsked.get(sessionId) ?? 0) < idleMs || watched(sessionId)) continue;
      // Synchronously with the checks above: no command can reach this room between them and its leaving.
      this.rooms.delete(sessionId);
      this.lastAsked.delete(sessionId);
      retiring.push(room);
    }
    for (const room of retiring) {
      await this.closeAndRelease(room.sessionId, room, room.fence);
      // The journal's open file goes too (one descriptor per sitting served since boot, otherwise), unless a command or a
      // view has opened the room again meanwhile; even then the store only reopens the file on its next use.
      if (!this.rooms.has(room.sessionId)) await this.deps.journal.release?.(room.sessionId).catch((err) => this.deps.log.warn({ err, sessionId: room.sessionId }, 'journal release failed'));
    }
    return retiring.map((room) => room.sessionId);
  }

  private async open(sessionId: string): Promise<SessionRoom> {
    const record = await this.catalog.getSession(sessionId);
    if (!record) throw new SessionNotFoundError(sessionId);
    let token: string | null = null;
    if (this.ownership) {
      const lease = await this.ownership.acquire(sessionId);
      if (!lease.ok) throw new NotOwnerError(sessionId, lease.holder);
      token = lease.token;
    }
    try {
      return await this.openRoom(sessionId, record, token);
    } catch (err) {
      if (token !== null) await this.ownership?.release(sessionId, token).catch(() => undefined);
      throw err;
    }
  }

  private openRoom(sessionId: string, record: SessionRecord, token: string | null): Promise<SessionRoom> {
    return SessionRoom.open(
      sessionId,
      async () => {
        const council = await this.catalog.getCouncil(record.councilId);
        if (!council) throw new SessionNotFoundError(`council ${record.councilId}`);
        return SessionSetup.parse({ sessionId, title: record.title, council, agenda: record.agenda });
      },
      this.deps,
      token,
    );
  }

  /**
   * On boot: reopen every session that has a journal or a snapshot, so deadlines re-arm without waiting for a client.
   * Several at a time, so that one session's journal is read and verified while another replays; the order of
   * `restored` follows `sessionIds`. `replayed` counts the journal events replayed on top of the stored snapshots.
   */
  async restoreAll(sessionIds: string[], concurrency = RESTORE_CONCURRENCY): Promise<{ restored: string[]; failed: { sessionId: string; error: string }[]; replayed: number }> {
    const outcomes = new Array<'restored' | 'elsewhere' | { sessionId: string; error: string }>(sessionIds.length);
    let replayed = 0;
    let next = 0;
    const worker = async () => {
      while (next < sessionIds.length) {
        const i = next++;
        const id = sessionIds[i]!;
        try {
          const room = await this.get(id);
          replayed += room.replayedAtOpen;
          outcomes[i] = 'restored';
        } catch (err) {
          // NotOwnerError: another node runs it.
          outcomes[i] = err instanceof NotOwnerError ? 'elsewhere' : { sessionId: id, error: err instanceof Error ? err.message : String(err) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, sessionIds.length)) }, worker));
    const restored = sessionIds.filter((_, i) => outcomes[i] === 'restored');
    const failed = outcomes.filter((o): o is { sessionId: string; error: string } => typeof o === 'object');
    return { restored, failed, replayed };
  }

  /**
   * After boot, in the background: every room restored from a long journal tail saves a fresh snapshot, one room at
   * a time, so that the next restart replays little. Resolves with how many did.
   */
  async snapshotRestored(): Promise<number> {
    let saved = 0;
    for (const room of await this.openRooms()) if (await room.snapshotIfBehind()) saved++;
    return saved;
  }

  async closeAll() {
    this.closing = true;
    const rooms = await this.openRooms();
    await Promise.all(rooms.map((r) => r.close()));
    this.rooms.clear();
  }
}
