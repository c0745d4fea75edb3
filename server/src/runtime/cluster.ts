/**
 * Several nodes on one Redis (docs/architecture.md, "Cluster"). Each live session is owned by exactly one node
 * through a Redis lease (`<prefix>lease:<sessionId>` = `<nodeId>:<epoch>`, renewed every third of its lifetime).
 *
 * Fencing: every acquisition takes a fresh epoch, and the room opened under it carries that token into every write
 * (journal append, snapshot, sealed ballot box); the store's script compares it with the lease key in the same atomic
 * step, and a store in cluster mode refuses a write without a token before it reaches Redis. So a node that was
 * paused, partitioned or simply never held the lease can never write, and a room from an older epoch of this very
 * node cannot either. Releasing compares and deletes only the releaser's own token.
 *
 * Routing: a command reaching a node that has no room for the session reads the lease: nobody → take the session
 * over (open it from the journal); another node → forward it to that node over the installation's encrypted channel
 * (cluster-rpc.ts) and wait for its ack, or for the lease to move (owner died or froze), then route again. Dedupe by
 * (caller, commandId) on the owner makes every retry safe. Joins ask the owner for its current seq (and its state
 * when the local replica is older), so nobody joins onto a stale replica after a failover.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  errorMessages,
  project,
  type Actor,
  type Audience,
  type Command,
  type CommandAck,
  type PersistedSession,
  type SessionView,
} from '@hall/core';
import { NotOwnerError, SessionNotFoundError, type Ownership, type SessionRegistry } from './registry.ts';
import type { Sessions, SubmitOptions } from './sessions.ts';
import type { ViewPublisher } from '../realtime/publisher.ts';
import { StoreUnavailableError, type Catalog } from '../store/types.ts';
import { newRequestId, type ClusterRpc } from './cluster-rpc.ts';
import type { CommitteeBoard } from '../ballots/committee.ts';
import type { SessionRoom } from './session-room.ts';
import { Replicas, type ReplicaMessage } from './replicas.ts';

type Log = { info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void };

const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The node part of a lease value `<nodeId>:<epoch>` (node ids have no colon). */
export const nodeOfToken = (token: string) => token.slice(0, token.lastIndexOf(':'));

/** Redis errors of the lease calls are outages (answered UNAVAILABLE, retried), never INTERNAL. */
async function leaseCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new StoreUnavailableError(`lease: ${(err as Error).message}`);
  }
}

export class LeaseManager implements Ownership {
  /** Tokens this node holds, by session. */
  private readonly held = new Map<string, { token: string; renewedAt: number }>();
  private readonly timer: NodeJS.Timeout;
  /**
   * Told each time this node takes a session's lease or stops holding it (released, lost). A HALL_CORES worker tells
   * its primary, which sends the session's new connections here (cores.ts); only a hint, the lease stays the authority.
   */
  onHeld: ((sessionId: string, held: boolean) => void) | null = null;

  /**
   * `redis` is the store's own connection: lease calls and journal writes fail and recover together (a lease client
   * that reconnected later than the store once answered INTERNAL for every command after a Redis restart).
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly nodeId: string,
    readonly ttlMs: number,
    private readonly onLost: (sessionId: string, token: string) => void,
    private readonly log: Log,
    /** Throws when the store may not be used (a reconnection not yet checked, data found lost): no lease then. */
    private readonly assertIntact: () => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.renewAll(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  private key = (sessionId: string) => `${this.prefix}lease:${sessionId}`;

  async holder(sessionId: string): Promise<string | null> {
    return leaseCall(() => this.redis.get(this.key(sessionId)));
  }

  /** Takes the lease if nobody holds it, under a fresh epoch (tokens are never reused, so an old one never matches). */
  async acquire(sessionId: string): Promise<{ ok: true; token: string } | { ok: false; holder: string | null }> {
    this.assertIntact();
    const current = await this.holder(sessionId);
    if (current !== null) return { ok: false, holder: current };
    const epoch = await leaseCall(() => this.redis.incr(`${this.prefix}epoch:${sessionId}`));
    const token = `${this.nodeId}:${epoch}`;
    const set = await leaseCall(() => this.redis.set(this.key(sessionId), token, 'PX', this.ttlMs, 'NX'));
    if (set !== 'OK') return { ok: false, holder: await this.holder(sessionId) };
    this.held.set(sessionId, { token, renewedAt: Date.now() });
    this.log.info({ sessionId, token }, 'lease acquired');
    this.onHeld?.(sessionId, true);
    return { ok: true, token };
  }

  /** Gives up exactly `token` (compare-and-delete): a newer lease of the same session is never touched. */
  async release(sessionId: string, token: string): Promise<void> {
    if (this.held.get(sessionId)?.token === token) {
      this.held.delete(sessionId);
      this.onHeld?.(sessionId, false);
    }
    await leaseCall(() => this.redis.eval(RELEASE_LUA, 1, this.key(sessionId), token));
  }

  /** Whether this node believes it holds `token` (renewed within its lifetime). The store's scripts have the last word. */
  holds(sessionId: string, token: string): boolean {
    const held = this.held.get(sessionId);
    return held?.token === token && Date.now() - held.renewedAt < this.ttlMs;
  }

  /**
   * Whether `token` is still this node's, as far as renewals have told: not yet found taken, nor failing past its
   * lifetime. Enough to run a command, whose every write the store checks against the lease anyway; a renewal merely
   * late on a starved event loop must not make a node drop (and release) a lease that is still its own.
   */
  keeps(sessionId: string, token: string): boolean {
    return this.held.get(sessionId)?.token === token;
  }

  private async renewAll() {
    for (const [sessionId, held] of this.held) {
      try {
        const ok = await this.redis.eval(RENEW_LUA, 1, this.key(sessionId), held.token, String(this.ttlMs));
        if (ok === 1) {
          held.renewedAt = Date.now();
          continue;
        }
        this.lost(sessionId, held.token, 'the lease is held by another node, or lapsed');
      } catch (err) {
        // Redis unreachable: once our lease may have lapsed, another node may own the session when Redis returns.
        if (Date.now() - held.renewedAt > this.ttlMs) this.lost(sessionId, held.token, `renewal failing: ${(err as Error).message}`);
      }
    }
  }

  private lost(sessionId: string, token: string, why: string) {
    if (this.held.get(sessionId)?.token !== token) return;
    this.held.delete(sessionId);
    this.log.warn({ sessionId, token, why }, 'lease lost');
    this.onHeld?.(sessionId, false);
    this.onLost(sessionId, token);
  }

  async close() {
    clearInterval(this.timer);
    await Promise.allSettled([...this.held].map(([id, { token }]) => this.release(id, token)));
  }
}

/**
 * Heartbeat of one node, timed by Redis's own clock (nodes on several machines need not agree on the time): records
 * the node as seen now, forgets nodes silent for ten lease times, and answers the nodes seen within one lease time.
 */
const HEARTBEAT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 10 * ttl)
return redis.call('ZRANGEBYSCORE', KEYS[1], now - ttl, '+inf')`;

/** Rendezvous weight of a node for a session: the node with the highest weight is the session's preferred home. */
const weight = (node: string, sessionId: string) => createHash('sha256').update(`${node}\u0000${sessionId}`).digest().readUIntBE(0, 6);

/** The node among `nodes` where the session should run (rendezvous hashing); null for no nodes. */
export function preferredNode(nodes: readonly string[], sessionId: string): string | null {
  let best: string | null = null;
  let bestWeight = -1;
  for (const node of nodes) {
    const w = weight(node, sessionId);
    if (w > bestWeight || (w === bestWeight && best !== null && node < best)) [best, bestWeight] = [node, w];
  }
  return best;
}

/**
 * The nodes alive now (each beats every third of a lease), and where a session should run: rendezvous hashing of the
 * session id over them, so sessions spread evenly and a node joining or leaving moves only its share. Placement is a
 * preference, never an authority: the lease decides who owns a session, and a preferred node that does not answer
 * is simply passed over.
 */
export class NodeDirectory {
  private live: string[];
  private readonly timer: NodeJS.Timeout;
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly nodeId: string,
    private readonly ttlMs: number,
  ) {
    this.key = `${prefix}nodes`;
    this.live = [nodeId];
    this.timer = setInterval(() => void this.beat(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  async beat(): Promise<void> {
    try {
      const seen = (await this.redis.eval(HEARTBEAT_LUA, 1, this.key, this.nodeId, String(this.ttlMs))) as string[];
      this.live = seen.includes(this.nodeId) ? seen : [...seen, this.nodeId];
    } catch {
      // Redis away: keep the last known set; leases still decide ownership.
    }
  }

  nodes(): readonly string[] {
    return this.live;
  }

  /**
   * Beats until at least `expected` nodes are seen alive, or `timeoutMs` has passed. A worker of HALL_CORES that
   * placed sessions before its siblings' first beat would see itself alone and place every session on itself, while
   * a sibling placed the same ones on itself. Resolves true when they were all seen; false means go on (placement is
   * a preference, the leases still decide) with the nodes seen so far.
   */
  async awaitPeers(expected: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.beat();
      if (this.live.length >= expected) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
    }
  }

  preferred(sessionId: string): string {
    return preferredNode(this.live, sessionId) ?? this.nodeId;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.zrem(this.key, this.nodeId).catch(() => undefined);
  }
}

interface ForwardedCommand {
  command: Command;
  actor: Actor;
}
type ForwardReply = { ack: CommandAck } | { notOwner: true };

interface StateRequest {
  sessionId: string;
  haveSeq: number | null;
}
type StateReply = { seq: number; persisted?: PersistedSession } | { notOwner: true };

interface BoardRequest {
  sessionId: string;
  pollId: string;
}
type BoardReply = { board: CommitteeBoard | null } | { notOwner: true };

interface OpenRequest {
  sessionId: string;
}
/** `opened`: the session runs somewhere now (here, or a node that was quicker); route again to find it. */
type OpenReply = { opened: boolean };

const failure = (code: 'UNAVAILABLE' | 'OUTCOME_UNKNOWN'): CommandAck => ({ ok: false, code, message: errorMessages[code].vi });

export class ClusterSessions implements Sessions {
  private readonly replicas: Replicas;
  private readonly sweeper: NodeJS.Timeout;
  /** Live sessions nobody held at the last sweep: their preferred node did not take them, so any node may. */
  private unheldAtLastSweep = new Set<string>();
  /** How long a routed command or a join waits in all before answering "try again" (clients retry the same id). */
  private readonly patienceMs: number;

  constructor(
    private readonly rpc: ClusterRpc,
    private readonly registry: SessionRegistry,
    private readonly catalog: Catalog,
    private readonly lease: LeaseManager,
    private readonly publisher: ViewPublisher,
    private readonly log: Log,
    private readonly nodes: NodeDirectory,
  ) {
    this.patienceMs = Math.max(15_000, 3 * lease.ttlMs);
    rpc.handle('command', (body) => this.onForwarded(body as ForwardedCommand));
    rpc.handle('state', (body) => this.onStateRequest(body as StateRequest));
    rpc.handle('open', (body) => this.onOpen(body as OpenRequest));
    rpc.handle('board', (body) => this.onBoardRequest(body as BoardRequest));
    this.replicas = new Replicas({
      fetchState: async (node, sessionId, haveSeq) => {
        const outcome = await this.askState(node, sessionId, haveSeq);
        return outcome.ok && outcome.reply && !('notOwner' in outcome.reply) ? outcome.reply : null;
      },
      changed: (sessionId, snapshot, seq) => publisher.replicaChanged(sessionId, snapshot, seq),
      log,
    });
    rpc.onBroadcast('replica', (body, from) => this.replicas.take(body as ReplicaMessage, from));
    publisher.onPublished = (room) => {
      if (!room.fence || !this.lease.holds(room.sessionId, room.fence)) return;
      // What was journaled since the last message, when the room can say it; else the whole state.
      const tail = room.takeReplicaTail();
      if (tail?.events.length === 0) return;
      const msg: ReplicaMessage = tail
        ? { sessionId: room.sessionId, seq: room.seq, fromSeq: tail.fromSeq, events: tail.events }
        : { sessionId: room.sessionId, seq: room.seq, persisted: room.persisted() };
      rpc.broadcast('replica', msg).catch(() => undefined);
    };
    // Sessions whose owner died with nobody talking to them still need their deadlines: take them over.
    this.sweeper = setInterval(() => void this.sweep(), lease.ttlMs);
    this.sweeper.unref();
  }

  /**
   * A room this node may use now: it holds the lease it was opened under and is sure of its journal. `fresh`: the
   * lease was also renewed within its lifetime — for answers that write nothing (a join's state), which no fence
   * checks; a command's writes are fenced by the store itself.
   */
  private async usableLocal(sessionId: string, fresh = false): Promise<SessionRoom | null> {
    const room = await this.registry.local(sessionId);
    if (!room) return null;
    if (!room.lostLease && !room.needsReopen && room.fence && fresh && this.lease.keeps(sessionId, room.fence) && !this.lease.holds(sessionId, room.fence)) {
      // Not renewed lately, not known lost either: not to answer from, but no reason to give the session up.
      return null;
    }
    if (room.lostLease || room.needsReopen || !room.fence || !this.lease.keeps(sessionId, room.fence)) {
      await this.registry.drop(sessionId, room);
      return null;
    }
    return room;
  }

  /** Resolves when the session's lease value is no longer `holder` (polled: cheap GETs, every 100 ms). */
  private leaseMoves(sessionId: string, holder: string, stop: { done: boolean }): Promise<void> {
    return (async () => {
      while (!stop.done) {
        await sleep(100);
        const now = await this.lease.holder(sessionId).catch(() => holder);
        if (now !== holder) return;
      }
      await new Promise<never>(() => undefined);
    })();
  }

  /**
   * Finds the session's owner and runs `onOwner` there: locally when this node holds (or can take) the lease, else
   * through `remote` on the holder. Loops while the lease is moving.
   */
  private async route<T>(
    sessionId: string,
    local: (room: SessionRoom) => Promise<T | null>,
    remote: (node: string, holder: string, until: Promise<void>) => Promise<T | 'retry'>,
    giveUp: () => T,
  ): Promise<T> {
    const deadline = Date.now() + this.patienceMs;
    let askedPreferred = false;
    while (Date.now() < deadline) {
      const room = await this.usableLocal(sessionId);
      if (room) {
        const result = await local(room);
        if (result !== null) return result;
        continue;
      }
      const holder = await this.lease.holder(sessionId);
      if (holder === null) {
        // Nobody runs it: its preferred node should, so that sessions spread over the nodes (cores) rather than
        // gathering on whichever node a client reached first. Asked once; a node that does not open it in half a
        // lease is passed over and this node takes it.
        if (!askedPreferred) {
          askedPreferred = true;
          const preferred = this.nodes.preferred(sessionId);
          if (preferred !== this.lease.nodeId) {
            const outcome = await this.rpc
              .request<OpenReply>(preferred, 'open', { sessionId } satisfies OpenRequest, Math.ceil(this.lease.ttlMs / 2))
              .catch(() => null);
            if (outcome?.ok && outcome.reply?.opened) continue;
          }
        }
        try {
          await this.registry.get(sessionId);
        } catch (err) {
          if (!(err instanceof NotOwnerError)) throw err;
        }
        continue;
      }
      const node = nodeOfToken(holder);
      if (node === this.lease.nodeId) {
        // Our own lease without a usable room (dropped a moment ago, or left by a process of ours that died): give up
        // a token we still hold, or wait for one we do not to lapse.
        await this.lease.release(sessionId, holder).catch(() => undefined);
        await sleep(100);
        continue;
      }
      const stop = { done: false };
      try {
        const result = await remote(node, holder, this.leaseMoves(sessionId, holder, stop));
        if (result !== 'retry') return result;
      } finally {
        stop.done = true;
      }
    }
    return giveUp();
  }

  /**
   * Runs a command on the session's owner. Once a forward may have reached an owner without its answer coming back,
   * no later failure may say "not recorded": the answer is OUTCOME_UNKNOWN, and the client's retry (same commandId)
   * gets the owner's definitive answer.
   */
  async submit(command: Command, actor: Actor, options: SubmitOptions = {}): Promise<CommandAck> {
    const state = { sentUnanswered: false };
    try {
      return await this.routeCommand(command, actor, state, options.ownPart ?? false);
    } catch (err) {
      if (state.sentUnanswered) {
        this.log.warn({ sessionId: command.sessionId, err: (err as Error).message }, 'a forwarded command went unanswered, then routing failed: outcome unknown');
        return failure('OUTCOME_UNKNOWN');
      }
      throw err;
    }
  }

  private routeCommand(command: Command, actor: Actor, state: { sentUnanswered: boolean }, ownPart: boolean): Promise<CommandAck> {
    // Every forward of this command carries one request id: the owner's answer to any copy answers them all.
    const requestId = newRequestId();
    return this.route<CommandAck>(
      command.sessionId,
      async (room) => {
        // Our own room: its state is what this node's publisher pushes, so the ack may carry the delegate's part. A
        // forwarded command's ack (below) carries none: the owner's room is not what this node publishes from.
        const ack = await room.submit(command, actor, ownPart);
        if (room.lostLease || room.needsReopen) {
          await this.registry.drop(command.sessionId, room);
          // Refused before writing: route it again (another node owns it now, or a fresh room will).
          if (!ack.ok && ack.code === 'UNAVAILABLE') return null;
        }
        if (this.mayHaveLanded(ack, state)) {
          await sleep(100);
          return null;
        }
        return ack;
      },
      async (node, _holder, until) => {
        const outcome = await this.rpc.request<ForwardReply>(node, 'command', { command, actor } satisfies ForwardedCommand, this.lease.ttlMs, until, requestId).catch(() => {
          throw new StoreUnavailableError('cannot publish to the session owner');
        });
        if (outcome.ok && outcome.reply && 'ack' in outcome.reply) {
          if (!this.mayHaveLanded(outcome.reply.ack, state)) return outcome.reply.ack;
          await sleep(100);
          return 'retry';
        }
        // Sent and not answered (or answered with nothing: its handler failed): the owner may have applied it. Only
        // "nobody listened" and "not the owner" (refused before writing) say it certainly was not.
        if (outcome.ok ? !outcome.reply : outcome.why !== 'nobody') state.sentUnanswered = true;
        if (!outcome.ok && outcome.why === 'nobody') await sleep(100);
        return 'retry';
      },
      () => failure(state.sentUnanswered ? 'OUTCOME_UNKNOWN' : 'UNAVAILABLE'),
    );
  }

  /**
   * An UNAVAILABLE ("not recorded") for this attempt says nothing about an earlier forward of the same command that
   * went unanswered: that one may have landed (a message delivered after a CLIENT PAUSE, say, and applied while this
   * attempt met a closing room). Such an answer is not passed on; routing goes on until the owner's dedupe answers
   * definitively, or the patience ends in OUTCOME_UNKNOWN.
   */
  private mayHaveLanded(ack: CommandAck, state: { sentUnanswered: boolean }): boolean {
    return state.sentUnanswered && !ack.ok && ack.code === 'UNAVAILABLE';
  }

  private async onForwarded(msg: ForwardedCommand): Promise<ForwardReply> {
    const sessionId = msg?.command?.sessionId;
    if (typeof sessionId !== 'string') return { notOwner: true };
    const room = await this.usableLocal(sessionId);
    if (!room) return { notOwner: true };
    const ack = await room.submit(msg.command, msg.actor);
    if (room.lostLease || room.needsReopen) {
      await this.registry.drop(sessionId, room);
      if (!ack.ok && ack.code === 'UNAVAILABLE') return { notOwner: true };
    }
    return { ack };
  }

  private async onOpen(req: OpenRequest): Promise<OpenReply> {
    if (typeof req?.sessionId !== 'string') return { opened: false };
    try {
      await this.registry.get(req.sessionId);
      return { opened: true };
    } catch (err) {
      return { opened: err instanceof NotOwnerError };
    }
  }

  /** The live sessions this node should restore on boot: those placed here (the others' preferred nodes take theirs). */
  placedHere(sessionIds: string[]): string[] {
    return sessionIds.filter((id) => this.nodes.preferred(id) === this.lease.nodeId);
  }

  private async onStateRequest(req: StateRequest): Promise<StateReply> {
    const room = typeof req?.sessionId === 'string' ? await this.usableLocal(req.sessionId, true) : null;
    if (!room) return { notOwner: true };
    return room.seq === req.haveSeq ? { seq: room.seq } : { seq: room.seq, persisted: room.persisted() };
  }

  /** The owner `node`'s seq for the session, and its whole state unless it is still `haveSeq` (joins, replica catch-up). */
  private askState(node: string, sessionId: string, haveSeq: number | null, until?: Promise<unknown>) {
    return this.rpc.request<StateReply>(node, 'state', { sessionId, haveSeq } satisfies StateRequest, this.lease.ttlMs, until);
  }

  /**
   * The board is built where the session runs: the owner's box cache is the one that agrees with the journal. Any
   * node answers, asking the owner for it, so `pnpm verify --poll` works whichever node the load balancer picks.
   */
  async board(sessionId: string, pollId: string): Promise<CommitteeBoard | null> {
    if (!(await this.catalog.getSession(sessionId))) throw new SessionNotFoundError(sessionId);
    // Wrapped: `route` reads a null from the local room as "not usable here, try again".
    const found = await this.route<{ board: CommitteeBoard | null }>(
      sessionId,
      async (room) => ({ board: await room.board(pollId) }),
      async (node, _holder, until) => {
        const outcome = await this.rpc
          .request<BoardReply>(node, 'board', { sessionId, pollId } satisfies BoardRequest, this.lease.ttlMs, until)
          .catch(() => null);
        if (!outcome?.ok || !outcome.reply || 'notOwner' in outcome.reply) {
          // The owner is moving or busy: ask again (whoever holds the lease then) until the patience runs out.
          await sleep(100);
          return 'retry';
        }
        return outcome.reply;
      },
      () => {
        throw new StoreUnavailableError(`session ${sessionId}: its owner does not answer; catching up`);
      },
    );
    return found.board;
  }

  private async onBoardRequest(req: BoardRequest): Promise<BoardReply> {
    const room = typeof req?.sessionId === 'string' && typeof req.pollId === 'string' ? await this.usableLocal(req.sessionId, true) : null;
    if (!room) return { notOwner: true };
    return { board: await room.board(req.pollId) };
  }

  /** A join's view: from the owner's current state (asked each time), never from a replica that may lag behind it. */
  async view(sessionId: string, audience: Audience, delegateId: string | null): Promise<SessionView> {
    if (!(await this.catalog.getSession(sessionId))) throw new SessionNotFoundError(sessionId);
    return this.route<SessionView>(
      sessionId,
      async (room) => project(room.snapshot, room.seq, audience, delegateId),
      async (node, _holder, until) => {
        const replica = this.replicas.get(sessionId);
        const outcome = await this.askState(node, sessionId, replica?.seq ?? null, until).catch(() => {
          throw new StoreUnavailableError('cannot publish to the session owner');
        });
        if (!outcome.ok || !outcome.reply || 'notOwner' in outcome.reply) {
          if (!outcome.ok && outcome.why === 'nobody') await sleep(100);
          return 'retry';
        }
        const reply = outcome.reply;
        // The owner's state also becomes this node's replica when it is newer (published by the next message).
        const current = reply.persisted ? { seq: reply.seq, snapshot: this.replicas.adopt(sessionId, reply.seq, reply.persisted, false) } : replica;
        if (!current || current.seq !== reply.seq) return 'retry';
        return project(current.snapshot, current.seq, audience, delegateId);
      },
      () => {
        // The owner neither answers nor lets its lease lapse yet: say so rather than answer from a stale replica.
        throw new StoreUnavailableError(`session ${sessionId}: its owner does not answer; catching up`);
      },
    );
  }

  private async sweep() {
    try {
      const unheld = new Set<string>();
      for (const s of await this.catalog.listSessions()) {
        if (s.status !== 'live') continue;
        if ((await this.lease.holder(s.id)) !== null) continue;
        unheld.add(s.id);
        // Its preferred node gets one sweep to take it; after that, whoever sweeps first.
        if (this.nodes.preferred(s.id) !== this.lease.nodeId && !this.unheldAtLastSweep.has(s.id)) continue;
        await this.registry.get(s.id).catch((err: unknown) => {
          if (!(err instanceof NotOwnerError)) this.log.warn({ err, sessionId: s.id }, 'taking over a session failed');
        });
      }
      this.unheldAtLastSweep = unheld;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'session sweep failed');
    }
  }

  councilOf(sessionId: string) {
    return this.registry.councilOf(sessionId);
  }

  retireReplicas(watched: (sessionId: string) => boolean): string[] {
    return this.replicas.retireAdjourned(watched);
  }

  async localCount() {
    return (await this.registry.openRooms()).length;
  }

  close() {
    clearInterval(this.sweeper);
    void this.nodes.close();
    this.rpc.close();
  }
}
