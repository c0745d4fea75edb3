/**
 * What the edges (Socket.IO gateway, HTTP routes) need from live sessions, independent of where a session runs:
 * submit a command, get a view. On one node every session is local; in a cluster (cluster.ts) a session is owned by
 * exactly one node and the others forward to it.
 */
import { project, type Actor, type Audience, type Command, type CommandAck, type SessionView } from '@hall/core';
import type { SessionRegistry } from './registry.ts';
import type { CommitteeBoard } from '../ballots/committee.ts';

export interface SubmitOptions {
  /**
   * A delegate's ok ack carries their own part of the state it left (CommandAck.personal) — only when this node ran
   * the command in its own room; an ack forwarded from another node carries none, as before.
   */
  ownPart?: boolean;
}

export interface Sessions {
  submit(command: Command, actor: Actor, options?: SubmitOptions): Promise<CommandAck>;
  view(sessionId: string, audience: Audience, delegateId: string | null): Promise<SessionView>;
  /**
   * The council of a session whose room is open on this node (null when it is not): what a command is authorized
   * against without reading the catalog.
   */
  councilOf(sessionId: string): string | null;
  /** Sessions whose actor runs on this node. */
  localCount(): Promise<number>;
  /** A committee poll's public bulletin board; null when the poll is not a committee poll. */
  board(sessionId: string, pollId: string): Promise<CommitteeBoard | null>;
  /** Cluster: drops the replicas of adjourned sittings nobody here follows (Replicas.retireAdjourned); the sessions dropped. */
  retireReplicas?(watched: (sessionId: string) => boolean): string[];
}

export class LocalSessions implements Sessions {
  constructor(private readonly registry: SessionRegistry) {}

  async submit(command: Command, actor: Actor, options: SubmitOptions = {}): Promise<CommandAck> {
    // A room unsure of the journal reopens itself from it (registry); the client's retry gets the true answer.
    return (await this.registry.get(command.sessionId)).submit(command, actor, options.ownPart);
  }

  async view(sessionId: string, audience: Audience, delegateId: string | null): Promise<SessionView> {
    const room = await this.registry.get(sessionId);
    return project(room.snapshot, room.seq, audience, delegateId);
  }

  async board(sessionId: string, pollId: string): Promise<CommitteeBoard | null> {
    return (await this.registry.get(sessionId)).board(pollId);
  }

  councilOf(sessionId: string) {
    return this.registry.councilOf(sessionId);
  }

  async localCount() {
    return (await this.registry.openRooms()).length;
  }
}
