/**
 * Several nodes on one Redis (DESIGN.md §6). Each live session is owned by exactly one node through a Redis lease
 * (`lease:<sessionId>` = `<nodeId>:<epoch>`, renewed well inside its TTL); the journal's append script refuses any
 * writer whose token is not the current lease value (fencing), so even a paused node that wakes up after losing its
 * lease can never append. A command that reaches a non-owner is forwarded to the owner over Socket.IO's inter-node
 * channel and acked end to end; when the owner dies its lease lapses and the next command, join or sweep on any node
 * takes the session over, restoring it from the journal.
 *
 * Views: the owner projects for its own sockets and sends the persisted snapshot once to the other nodes, which keep
 * it as a read-only replica and project for their own sockets. So a view costs one inter-node message per flush, not
 * one per delegate, and joins on any node are served from the replica.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  errorMessages,
  project,
  restoreSession,
  type Actor,
  type Audience,
  type Command,
  type CommandAck,
  type PersistedSession,
  type SessionSnapshot,
  type SessionView,
} from '@hall/core';
import { NotOwnerError, type Ownership, type SessionRegistry } from './registry.ts';
import type { Sessions } from './sessions.ts';
import type { HallServer } from '../realtime/gateway.ts';
import type { ViewPublisher } from '../realtime/publisher.ts';
import type { Catalog } from '../store/types.ts';

type Log = { info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void };

export const newNodeId = () => `node-${randomBytes(5).toString('hex')}`;

const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class LeaseManager implements Ownership {
  private readonly held = new Map<string, { token: string; renewedAt: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly nodeId: string,
    readonly ttlMs: number,
    private readonly onLost: (sessionId: string) => void,
    private readonly log: Log,
  ) {
    this.timer = setInterval(() => void this.renewAll(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  private key = (sessionId: string) => `${this.prefix}lease:${sessionId}`;

  /** The fencing token the journal must see for this node's appends, or null when the session is not held. */
  token(sessionId: string): string | null {
    return this.held.get(sessionId)?.token ?? null;
  }

  async holder(sessionId: string): Promise<string | null> {
    return this.redis.get(this.key(sessionId));
  }

  async acquire(sessionId: string): Promise<{ ok: true } | { ok: false; holder: string | null }> {
    if (this.held.has(sessionId)) return { ok: true };
    // A fresh epoch per acquisition: tokens are never reused, so an old owner's token can never match again.
    const epoch = await this.redis.incr(`${this.prefix}epoch:${sessionId}`);
    const token = `${this.nodeId}:${epoch}`;
    const set = await this.redis.set(this.key(sessionId), token, 'PX', this.ttlMs, 'NX');
    if (set === 'OK') {
      this.held.set(sessionId, { token, renewedAt: Date.now() });
      this.log.info({ sessionId, token }, 'lease acquired');
      return { ok: true };
    }
    return { ok: false, holder: await this.holder(sessionId) };
  }

  async release(sessionId: string): Promise<void> {
    const held = this.held.get(sessionId);
    this.held.delete(sessionId);
    if (held) await this.redis.eval(RELEASE_LUA, 1, this.key(sessionId), held.token);
  }

  private async renewAll() {
    for (const [sessionId, held] of this.held) {
      try {
        const ok = await this.redis.eval(RENEW_LUA, 1, this.key(sessionId), held.token, String(this.ttlMs));
        if (ok === 1) {
          held.renewedAt = Date.now();
          continue;
        }
        this.lost(sessionId, 'the lease is held by another node');
      } catch (err) {
        // Redis unreachable: once our lease may have lapsed, another node may own the session when Redis returns.
        if (Date.now() - held.renewedAt > this.ttlMs) this.lost(sessionId, `renewal failing: ${(err as Error).message}`);
      }
    }
  }

  private lost(sessionId: string, why: string) {
    if (!this.held.delete(sessionId)) return;
    this.log.warn({ sessionId, why }, 'lease lost');
    this.onLost(sessionId);
  }

  async close() {
    clearInterval(this.timer);
    await Promise.allSettled([...this.held.keys()].map((id) => this.release(id)));
  }
}

interface ForwardedCommand {
  command: Command;
  actor: Actor;
}

interface SnapshotMessage {
  sessionId: string;
  seq: number;
  persisted: PersistedSession;
}

const unavailable = (): CommandAck => ({ ok: false, code: 'UNAVAILABLE', message: errorMessages.UNAVAILABLE.vi });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ClusterSessions implements Sessions {
  private readonly replicas = new Map<string, { seq: number; snapshot: SessionSnapshot }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly io: HallServer,
    private readonly registry: SessionRegistry,
    private readonly catalog: Catalog,
    private readonly lease: LeaseManager,
    private readonly publisher: ViewPublisher,
    private readonly log: Log,
  ) {
    const on = io.on.bind(io) as unknown as (event: string, handler: (...args: never[]) => void) => void;
    on('hall:command', (msg: ForwardedCommand, reply: (ack: CommandAck | null) => void) => void this.onForwarded(msg, reply));
    on('hall:snapshot?', (sessionId: string, reply: (msg: SnapshotMessage | null) => void) => void this.onSnapshotRequest(sessionId, reply));
    on('hall:snapshot', (msg: SnapshotMessage) => this.onSnapshot(msg));
    publisher.onPublished = (room) => {
      const msg: SnapshotMessage = { sessionId: room.sessionId, seq: room.seq, persisted: room.persisted() };
      io.serverSideEmit('hall:snapshot' as never, msg as never);
    };
    // Sessions whose owner died with nobody talking to them still need their deadlines: take them over.
    this.sweeper = setInterval(() => void this.sweep(), lease.ttlMs);
    this.sweeper.unref();
  }

  async submit(command: Command, actor: Actor): Promise<CommandAck> {
    // Long enough for a dead owner's lease to lapse and the cluster adapter to stop waiting for the dead node.
    const deadline = Date.now() + Math.max(15_000, 5 * this.lease.ttlMs);
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      try {
        const room = await this.registry.get(command.sessionId);
        const ack = await room.submit(command, actor);
        if (!room.lostLease) return ack;
        await this.registry.drop(command.sessionId);
      } catch (err) {
        if (!(err instanceof NotOwnerError)) throw err;
        const forwarded = await this.forward(command, actor);
        if (forwarded) return forwarded;
      }
      // Nobody answered as owner: the lease is lapsing after a node died. Retry until it can be taken over.
      await sleep(Math.min(1000, 100 * 2 ** attempt));
    }
    return unavailable();
  }

  /**
   * Asks every other node; only the owner answers with an ack. The cluster adapter waits for all nodes (5 s at
   * most): when one is dying the call fails, but the answers that did arrive come with the error.
   */
  private async ask<T>(event: string, arg: unknown): Promise<T | null> {
    const emit = this.io.serverSideEmitWithAck as unknown as (ev: string, a: unknown) => Promise<(T | null)[]>;
    try {
      return (await emit.call(this.io, event, arg)).find((r) => r !== null && r !== undefined) ?? null;
    } catch (err) {
      const partial = ((err as { responses?: (T | null)[] }).responses ?? []).find((r) => r !== null && r !== undefined);
      if (!partial) this.log.warn({ err: (err as Error).message, event }, 'no node answered as owner');
      return partial ?? null;
    }
  }

  private forward(command: Command, actor: Actor): Promise<CommandAck | null> {
    return this.ask<CommandAck>('hall:command', { command, actor } satisfies ForwardedCommand);
  }

  private async onForwarded(msg: ForwardedCommand, reply: (ack: CommandAck | null) => void) {
    try {
      const room = await this.registry.local(msg.command.sessionId);
      if (!room || room.lostLease || !this.lease.token(msg.command.sessionId)) return reply(null);
      reply(await room.submit(msg.command, msg.actor));
    } catch (err) {
      this.log.error({ err, sessionId: msg.command?.sessionId }, 'forwarded command failed');
      reply(unavailable());
    }
  }

  private async onSnapshotRequest(sessionId: string, reply: (msg: SnapshotMessage | null) => void) {
    const room = await this.registry.local(sessionId);
    reply(room && this.lease.token(sessionId) ? { sessionId, seq: room.seq, persisted: room.persisted() } : null);
  }

  private onSnapshot(msg: SnapshotMessage) {
    try {
      const current = this.replicas.get(msg.sessionId);
      if (current && current.seq > msg.seq) return;
      const snapshot = this.restore(msg.persisted);
      this.replicas.set(msg.sessionId, { seq: msg.seq, snapshot });
      this.publisher.replicaChanged(msg.sessionId, snapshot, msg.seq);
    } catch (err) {
      this.log.error({ err, sessionId: msg.sessionId }, 'replica update failed');
    }
  }

  private restore(persisted: PersistedSession): SessionSnapshot {
    const actor = restoreSession(persisted);
    const snapshot = actor.getSnapshot();
    actor.stop();
    return snapshot;
  }

  async view(sessionId: string, audience: Audience, delegateId: string | null): Promise<SessionView> {
    const room = await this.registry.local(sessionId);
    if (room && !room.lostLease) return project(room.snapshot, room.seq, audience, delegateId);
    const replica = this.replicas.get(sessionId) ?? (await this.fetchReplica(sessionId));
    if (replica) return project(replica.snapshot, replica.seq, audience, delegateId);
    // Nobody runs it: run it here.
    const opened = await this.registry.get(sessionId);
    return project(opened.snapshot, opened.seq, audience, delegateId);
  }

  private async fetchReplica(sessionId: string) {
    const msg = await this.ask<SnapshotMessage>('hall:snapshot?', sessionId);
    if (!msg) return null;
    const replica = { seq: msg.seq, snapshot: this.restore(msg.persisted) };
    this.replicas.set(sessionId, replica);
    return replica;
  }

  private async sweep() {
    try {
      for (const s of await this.catalog.listSessions()) {
        if (s.status !== 'live' || this.lease.token(s.id)) continue;
        if ((await this.lease.holder(s.id)) !== null) continue;
        await this.registry.get(s.id).catch((err: unknown) => {
          if (!(err instanceof NotOwnerError)) this.log.warn({ err, sessionId: s.id }, 'taking over a session failed');
        });
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'session sweep failed');
    }
  }

  async localCount() {
    return (await this.registry.openRooms()).length;
  }

  close() {
    clearInterval(this.sweeper);
  }
}
