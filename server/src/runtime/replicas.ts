/**
 * Read-only replicas of the sessions other nodes own, from which this node publishes views to its own sockets.
 *
 * After each publication the owner tells every node what changed: the journaled events since its previous message
 * (`events`, from `fromSeq` to `seq`), which a replica replays exactly as a reopened room replays its journal — the
 * machine is deterministic, so the same events on the same state give the same state. The whole state (`persisted`)
 * goes only when the owner cannot say it by events (its first message after opening the session, a long stall).
 * A ballot then costs the other nodes a few hundred bytes instead of the session's whole state, encrypted, sent through
 * Redis, decrypted, parsed and restored into a machine — at a hundred halls voting on two nodes, about 17 % of a node's CPU.
 *
 * A replica that cannot apply a message (it has none yet, it missed one, or the machine refuses an event) asks the
 * owner for its whole state and takes the next messages from there. Events are the journal's own records, so what
 * they carry between nodes is what the journal holds: a secret ballot's cast without its choice.
 */
import { phaseOf, replay, restoreSession, type PersistedSession, type SessionActor, type SessionSnapshot } from '@hall/core';

/** What an owner sends the other nodes after publishing a state. */
export type ReplicaMessage =
  | { sessionId: string; seq: number; persisted: PersistedSession }
  | { sessionId: string; seq: number; fromSeq: number; events: unknown[] };

export interface ReplicaState {
  seq: number;
  snapshot: SessionSnapshot;
}

export interface ReplicasDeps {
  /** Asks the owner `node` for the session's whole state (none when it is still at `haveSeq`); null: no answer. */
  fetchState: (node: string, sessionId: string, haveSeq: number | null) => Promise<{ seq: number; persisted?: PersistedSession } | null>;
  /** A replica moved on: publish it to this node's sockets. */
  changed: (sessionId: string, snapshot: SessionSnapshot, seq: number) => void;
  log: { warn: (obj: object, msg: string) => void };
}

const isSeq = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

export class Replicas {
  private readonly held = new Map<string, { seq: number; actor: SessionActor }>();
  /** Sessions whose whole state was asked of the owner and not answered yet: one request at a time. */
  private readonly catchingUp = new Set<string>();

  constructor(private readonly deps: ReplicasDeps) {}

  get(sessionId: string): ReplicaState | null {
    const replica = this.held.get(sessionId);
    return replica ? { seq: replica.seq, snapshot: replica.actor.getSnapshot() } : null;
  }

  /** A message from the owner `from`. Messages from one node arrive in the order it sent them. */
  take(msg: ReplicaMessage, from: string): void {
    if (typeof msg?.sessionId !== 'string' || !isSeq(msg.seq)) return this.deps.log.warn({ from }, 'replica message ignored: malformed');
    const { sessionId } = msg;
    const current = this.held.get(sessionId);
    if (current && current.seq >= msg.seq) return;
    try {
      if ('persisted' in msg) {
        this.adopt(sessionId, msg.seq, msg.persisted, true);
        return;
      }
      const { fromSeq, events } = msg;
      if (!isSeq(fromSeq) || !Array.isArray(events) || fromSeq + events.length - 1 !== msg.seq) {
        this.deps.log.warn({ from, sessionId }, 'replica message ignored: malformed');
        return this.catchUp(from, sessionId);
      }
      // None held, or a message was missed (Redis restarted, the node was paused): the events do not start here.
      if (!current || current.seq < fromSeq - 1) return this.catchUp(from, sessionId);
      replay(current.actor, events.slice(current.seq - fromSeq + 1), current.seq + 1);
      current.seq = msg.seq;
      this.deps.changed(sessionId, current.actor.getSnapshot(), msg.seq);
    } catch (err) {
      // The machine refused an event, or a state would not restore: this replica and the owner disagree.
      this.deps.log.warn({ from, sessionId, err: (err as Error).message }, 'replica update failed; asking the owner for its state');
      this.drop(sessionId);
      this.catchUp(from, sessionId);
    }
  }

  /**
   * A whole state of the session at `seq` (a message, or the owner's answer to a join): kept when newer than the one
   * held, and published when `publish`. Returns the snapshot of that state.
   */
  adopt(sessionId: string, seq: number, persisted: PersistedSession, publish: boolean): SessionSnapshot {
    const actor = restoreSession(persisted);
    const snapshot = actor.getSnapshot();
    const current = this.held.get(sessionId);
    if (current && current.seq >= seq) {
      actor.stop();
      return snapshot;
    }
    current?.actor.stop();
    this.held.set(sessionId, { seq, actor });
    if (publish) this.deps.changed(sessionId, snapshot, seq);
    return snapshot;
  }

  /**
   * Drops the replicas of adjourned sittings that no socket on this node follows (`watched`), as the owner retires
   * their rooms: nothing changes in them any more, and a screen that comes back asks the owner for the state again.
   * Returns the sessions dropped.
   */
  retireAdjourned(watched: (sessionId: string) => boolean): string[] {
    const retired: string[] = [];
    for (const [sessionId, replica] of this.held) {
      if (this.catchingUp.has(sessionId) || phaseOf(replica.actor.getSnapshot()) !== 'adjourned' || watched(sessionId)) continue;
      this.drop(sessionId);
      retired.push(sessionId);
    }
    return retired;
  }

  private drop(sessionId: string) {
    this.held.get(sessionId)?.actor.stop();
    this.held.delete(sessionId);
  }

  private catchUp(from: string, sessionId: string) {
    if (this.catchingUp.has(sessionId)) return;
    this.catchingUp.add(sessionId);
    this.deps
      .fetchState(from, sessionId, this.held.get(sessionId)?.seq ?? null)
      .then((reply) => {
        if (reply?.persisted) this.adopt(sessionId, reply.seq, reply.persisted, true);
      })
      .catch((err: unknown) => this.deps.log.warn({ from, sessionId, err: (err as Error).message }, 'replica catch-up failed; the next message asks again'))
      .finally(() => this.catchingUp.delete(sessionId));
  }
}
