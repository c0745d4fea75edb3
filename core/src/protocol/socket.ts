/**
 * The Socket.IO contract shared by the server and every client (wire events are `domain:verb`). Acks are typed
 * unions with a closed error set; every view carries the journal `seq` it reflects so a client can detect a gap.
 */
import type { PersonalView, SessionView } from '../views/project.ts';
import type { SessionGlance } from '../views/glance.ts';
import type { ViewPatch } from '../views/wire.ts';
import type { ErrorCode } from './errors.ts';
import type { RefusalReason } from './errors.ts';

export type CommandAck =
  | {
      ok: true;
      seq: number;
      duplicate?: boolean;
      /**
       * A delegate's own part of the state this command left (projected after it was journaled and applied), carried
       * in the ack so the tablet shows its own choice at once. Only for a socket that said in its handshake that it
       * takes it (`HandshakeAuth.ownPartInAck`): the server then does not push the same part again as
       * `session:personal` (unless the delegate has another socket in the session), so such a client must take it
       * like a pushed part (`ViewAssembler.personal`). A secret poll's part says only that the delegate cast.
       */
      personal?: PersonalView;
    }
  | { ok: false; code: ErrorCode; message: string; reason?: RefusalReason; issues?: string[] };

/** What a client sends as Socket.IO's handshake `auth`. */
export interface HandshakeAuth {
  /** An access token; none: a public viewer. */
  token?: string;
  /**
   * This client applies `CommandAck.personal`, so the server may leave out the separate `session:personal` push the
   * ack made redundant (one write per ballot instead of two). Without it — a tablet page loaded before the ack carried
   * parts and left open across an upgrade — acks carry no part and every part is pushed, as before.
   */
  ownPartInAck?: boolean;
}

export type JoinAck = { ok: true; view: SessionView; serverTime: number } | { ok: false; code: ErrorCode; message: string };

export interface JoinRequest {
  sessionId: string;
  /** The last seq the client rendered; the server answers with the current view whatever it is. */
  lastSeq?: number;
}

export interface ClientToServerEvents {
  'session:command': (command: unknown, ack: (result: CommandAck) => void) => void;
  'session:join': (request: JoinRequest, ack: (result: JoinAck) => void) => void;
  'session:leave': (request: { sessionId: string }) => void;
  /** Oversight dashboards: from now on receive `oversight:glance` for every session the account may see. */
  'oversight:watch': (ack: (result: { ok: true } | { ok: false; code: ErrorCode; message: string }) => void) => void;
  /** Clock offset: the client sends its time, the server answers with its own (NTP-style, one round trip). */
  'time:sync': (clientTime: number, ack: (result: { clientTime: number; serverTime: number }) => void) => void;
}

export interface ServerToClientEvents {
  /**
   * A pushed view. Delegates receive the hall's shared view (no `me`/`mine`) and staff their own; pushed snapshots
   * leave out the council (see views/wire.ts): complete them with a `ViewAssembler`.
   */
  'session:view': (view: SessionView) => void;
  /** A delegate's own part of the next shared view, sent only when it changed. */
  'session:personal': (part: PersonalView) => void;
  /** What changed in the room's view since the one this socket was last pushed (views/wire.ts). */
  'session:patch': (patch: ViewPatch) => void;
  /** A session changed: its glance (phase, quorum, current item, poll in progress), for oversight dashboards. */
  'oversight:glance': (glance: SessionGlance) => void;
  'server:notice': (notice: { code: string; message: string }) => void;
}

export interface SocketData {
  accountId: string;
  role: 'admin' | 'chair' | 'secretary' | 'delegate' | 'display' | 'oversight' | 'public';
  councilIds: string[];
  delegateId?: string;
  name: string;
}

/**
 * A Socket.IO event's arguments as a client may really send them. Socket.IO passes the answer callback LAST, after
 * however many arguments came before it, so a handler declared `(payload, ack)` finds no callback when a client sent
 * no payload (`emit('session:join', cb)`) or one argument too many — and that client waits for an answer that never
 * comes. Here the callback is the last argument when it is a function, and the payload is the argument before it;
 * `extra` says more than one came (the server refuses that: VALIDATION), `wantsAnswer` whether a callback came at all.
 */
export function socketArgs<T>(args: readonly unknown[]): { payload: unknown; reply: (answer: T) => void; wantsAnswer: boolean; extra: boolean } {
  const last = args[args.length - 1];
  const callback = typeof last === 'function' ? (last as (answer: T) => void) : null;
  const given = callback ? args.length - 1 : args.length;
  return { payload: given > 0 ? args[0] : undefined, reply: callback ? (answer) => callback(answer) : () => undefined, wantsAnswer: callback !== null, extra: given > 1 };
}
