/**
 * The Socket.IO gateway: steps 1-3 of the command path (parse, authenticate/authorize, route to the session's room)
 * and joining audience rooms. Each handler validates → calls the room → acks; unexpected errors are logged with
 * context and reported as INTERNAL. One bad socket or session never throws into another's handling.
 */
import {
  commandRoles,
  httpOnlyCommands,
  errorMessages,
  parseCommand,
  socketArgs,
  type Actor,
  type Audience,
  type ClientToServerEvents,
  type CommandAck,
  type ErrorCode,
  type JoinAck,
  type PersonalView,
  type ServerToClientEvents,
  type SocketData,
} from '@hall/core';
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { AuthService, Claims } from '../auth/service.ts';
import { can, canSee } from '../auth/service.ts';
import { isStoreOutage, type Catalog } from '../store/types.ts';
import { SessionNotFoundError } from '../runtime/registry.ts';
import type { Sessions } from '../runtime/sessions.ts';
import { OVERSIGHT_ALL_ROOM, audienceRoom, delegateRoom, delegatesRoom, oversightCouncilRoom } from './publisher.ts';
import { ConnectionLimits, tokenKeyOf, type CapScope, type TokenBucket } from './connection-limits.ts';

/** `ownPartInAck`: the client said in its handshake that it applies a command ack's own part (HandshakeAuth). */
type Data = SocketData & { claims: Claims; bucket: TokenBucket; ownPartInAck: boolean };
export type HallServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, Data>;
type HallSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, Data>;

/** Every socket of one account (told when the account signs in elsewhere) and of one token (closed when it is revoked). */
export const accountRoom = (accountId: string) => `acct:${accountId}`;
export const tokenRoom = (jti: string) => `tok:${jti}`;

/** Notices on `server:notice`; codes are stable, messages Vietnamese. */
export const SIGNED_IN_ELSEWHERE = 'SIGNED_IN_ELSEWHERE';
export const DEVICE_REVOKED = 'DEVICE_REVOKED';
export const signedInElsewhereMessage = (issuedBy?: string) =>
  issuedBy ? `Đã đăng nhập trên thiết bị khác (bằng mã QR do ${issuedBy} cấp)` : 'Đã đăng nhập trên thiết bị khác';
export const DEVICE_REVOKED_MESSAGE = 'Thiết bị này đã bị đăng xuất';

const TOO_MANY_MESSAGE: Record<CapScope, string> = {
  token: 'Tài khoản này đang mở quá nhiều kết nối; hãy đóng bớt các cửa sổ hoặc thiết bị khác',
  ip: 'Có quá nhiều kết nối từ mạng này; vui lòng thử lại sau',
};

export interface GatewayDeps {
  io: HallServer;
  auth: AuthService;
  catalog: Catalog;
  sessions: Sessions;
  log: { warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void };
  /** Whether the store answers: an unexpected error while it does not is UNAVAILABLE (retry later), not INTERNAL. */
  storeAvailable?: () => Promise<boolean>;
  /** Connection caps and the per-token command allowance (config.limits); defaults in config.ts. */
  limits?: { socketsPerToken: number; socketsPerIp: number; commandRate: number };
  /** The client address of a handshake, after TRUST_PROXY (the same rule as Fastify's request.ip). */
  clientIp?: (request: IncomingMessage) => string;
  /** Every command that arrives, before anything else (the publisher yields more while commands pour in). */
  onCommand?: () => void;
  /** A delegate socket joined and gets a complete view (the publisher then resends that delegate's own part). */
  onDelegateJoined?: (sessionId: string, delegateId: string) => void;
  /**
   * A delegate's ack carried their own part to this socket (sent right after): the publisher need not push that part
   * again (publisher.personalDelivered decides).
   */
  onPersonalDelivered?: (sessionId: string, delegateId: string, part: PersonalView, socketId: string) => void;
  /** A socket joined a session's view room: the publisher pushes it a whole view next, patches after that. */
  onJoinedRoom?: (room: string, socketId: string) => void;
  metrics?: { command: (type: string, outcome: string, ms: number) => void; connections: (delta: number) => void };
}

const JoinRequest = z.strictObject({ sessionId: z.string().min(1).max(64), lastSeq: z.number().int().min(0).optional() });

const failure = (code: ErrorCode, extra: Partial<Extract<CommandAck, { ok: false }>> = {}): Extract<CommandAck, { ok: false }> => ({
  ok: false,
  code,
  message: errorMessages[code].vi,
  ...extra,
});

export function audienceOf(claims: Claims): Audience {
  switch (claims.role) {
    case 'admin':
    case 'chair':
      return 'chair';
    case 'secretary':
      return 'secretary';
    case 'delegate':
      return 'delegate';
    case 'display':
    // Oversight watches what the hall sees, read-only: never the chair's roll notes nor anyone's own part.
    case 'oversight':
      return 'wall';
    case 'public':
      return 'public';
  }
}

/** The machine actor a signed-in account acts as; only chair, secretary and delegates act at all. */
export function actorOf(claims: Claims): Actor | null {
  if (claims.role === 'chair' || claims.role === 'secretary') return { role: claims.role, id: claims.sub };
  if (claims.role === 'delegate' && claims.delegateId) return { role: 'delegate', id: claims.delegateId };
  return null;
}

/** One payload before the answer callback: said in the refusal of an event that carried more. */
const ONE_PAYLOAD = ['(root): một đối tượng dữ liệu trước hàm trả lời / one payload argument before the answer callback'];

export function attachGateway(deps: GatewayDeps) {
  const { io, auth, catalog, sessions, log } = deps;
  const limits = new ConnectionLimits(deps.limits ?? { socketsPerToken: 8, socketsPerIp: 500, commandRate: 20 });
  const clientIp = deps.clientIp ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown');
  const unexpected = async (err: unknown): Promise<ErrorCode> => {
    if (err instanceof SessionNotFoundError) return 'NOT_FOUND';
    if (isStoreOutage(err)) return 'UNAVAILABLE';
    const up = await (deps.storeAvailable?.() ?? Promise.resolve(true)).catch(() => false);
    return up ? 'INTERNAL' : 'UNAVAILABLE';
  };

  const unauthenticated = () => Object.assign(new Error(errorMessages.UNAUTHENTICATED.vi), { data: { code: 'UNAUTHENTICATED' } });

  io.use(async (socket, next) => {
    try {
      const handshake = socket.handshake.auth as { token?: unknown; ownPartInAck?: unknown } | undefined;
      const token = handshake?.token;
      let claims: Claims | null;
      let tokenKey: string | null = null;
      if (token === undefined || token === null || token === '') {
        claims = auth.publicClaims();
      } else {
        // authenticate: signature, expiry and revocation (a signed-out device cannot reconnect).
        claims = typeof token === 'string' ? await auth.authenticate(token) : null;
        if (!claims) return next(unauthenticated());
        tokenKey = tokenKeyOf(token as string, claims.jti);
      }
      const admission = limits.admit(clientIp(socket.request), tokenKey);
      if ('refused' in admission) {
        const message = TOO_MANY_MESSAGE[admission.refused];
        return next(Object.assign(new Error(message), { data: { code: 'TOO_MANY_CONNECTIONS', scope: admission.refused, message } }));
      }
      socket.data.claims = claims;
      socket.data.bucket = admission.bucket;
      socket.data.ownPartInAck = handshake?.ownPartInAck === true;
      // Whichever comes first: the namespace disconnect, or the transport closing before the connection completed.
      socket.once('disconnect', admission.release);
      socket.conn.once('close', admission.release);
      next();
    } catch (err) {
      log.error({ err }, 'socket authentication failed');
      next(Object.assign(new Error(errorMessages.UNAVAILABLE.vi), { data: { code: 'UNAVAILABLE' } }));
    }
  });

  io.on('connection', (socket: HallSocket) => {
    deps.metrics?.connections(1);
    socket.on('disconnect', () => deps.metrics?.connections(-1));
    const claims = socket.data.claims;
    if (claims.role !== 'public') {
      void socket.join([accountRoom(claims.sub), ...(claims.jti ? [tokenRoom(claims.jti)] : [])]);
      // A revocation that ran between the handshake's check and joining the token's room found no socket to close.
      void auth.stillValid(claims).then(
        (valid) => {
          if (!valid) socket.disconnect(true);
        },
        () => undefined,
      );
    }

    socket.on('time:sync', (...args: unknown[]) => {
      const { payload: clientTime, reply } = socketArgs<{ clientTime: number; serverTime: number }>(args);
      reply({ clientTime: Number(clientTime) || 0, serverTime: Date.now() });
    });

    socket.on('session:join', async (...args: unknown[]) => {
      const { payload: raw, reply, extra } = socketArgs<JoinAck>(args);
      try {
        if (extra) return reply(failure('VALIDATION', { issues: ONE_PAYLOAD }));
        const req = JoinRequest.safeParse(raw);
        if (!req.success) return reply(failure('VALIDATION'));
        const claims = socket.data.claims;
        const record = await catalog.getSession(req.data.sessionId);
        if (!record) return reply(failure('NOT_FOUND'));
        if (claims.role !== 'public' && !canSee(claims, record.councilId)) return reply(failure('FORBIDDEN'));
        const audience = audienceOf(claims);
        const delegateId = audience === 'delegate' ? (claims.delegateId ?? null) : null;
        // Join the rooms first: a view published between reading the view and joining would otherwise be missed.
        if (audience === 'delegate') {
          await socket.join([delegatesRoom(record.id), delegateRoom(record.id, delegateId ?? '-')]);
          deps.onJoinedRoom?.(delegatesRoom(record.id), socket.id);
          deps.onDelegateJoined?.(record.id, delegateId ?? '-');
        } else {
          await socket.join(audienceRoom(record.id, audience));
          deps.onJoinedRoom?.(audienceRoom(record.id, audience), socket.id);
        }
        const view = await sessions.view(record.id, audience, delegateId);
        // The answer is complete: whatever part was pushed to this delegate before, the next push repeats theirs.
        if (audience === 'delegate') deps.onDelegateJoined?.(record.id, delegateId ?? '-');
        reply({ ok: true, view, serverTime: Date.now() });
      } catch (err) {
        const code = await unexpected(err);
        if (code === 'INTERNAL') log.error({ err, socket: socket.id }, 'session:join failed');
        reply(failure(code));
      }
    });

    // The oversight dashboard: the province's oversight accounts and admins watch every council, a council's staff
    // only their own. Glances are pushed by the publisher whenever a watched session changes (realtime/publisher.ts).
    socket.on('oversight:watch', async (...args: unknown[]) => {
      const { reply } = socketArgs<{ ok: true } | { ok: false; code: ErrorCode; message: string }>(args);
      const claims = socket.data.claims;
      if (claims.role === 'public') return reply(failure('UNAUTHENTICATED'));
      if (claims.role === 'oversight' || claims.role === 'admin') await socket.join(OVERSIGHT_ALL_ROOM);
      else if (claims.role === 'chair' || claims.role === 'secretary') await socket.join(claims.councilIds.map(oversightCouncilRoom));
      else return reply(failure('FORBIDDEN'));
      reply({ ok: true });
    });

    socket.on('session:leave', (...args: unknown[]) => {
      const req = JoinRequest.safeParse(socketArgs(args).payload);
      if (!req.success) return;
      for (const name of socket.rooms) if (name.startsWith(`s:${req.data.sessionId}:`)) void socket.leave(name);
    });

    socket.on('session:command', async (...args: unknown[]) => {
      const { payload: raw, reply, wantsAnswer, extra } = socketArgs<CommandAck>(args);
      const started = performance.now();
      deps.onCommand?.();
      let type = 'unknown';
      const done = (result: CommandAck) => {
        deps.metrics?.command(type, result.ok ? 'ok' : result.code, performance.now() - started);
        reply(result);
      };
      try {
        if (!socket.data.bucket.take()) return done(failure('RATE_LIMITED'));
        if (extra) return done(failure('VALIDATION', { issues: ONE_PAYLOAD }));
        const parsed = parseCommand(raw);
        if (!parsed.ok) return done(failure('VALIDATION', { issues: parsed.issues.slice(0, 10) }));
        // Sent only by the records API, which computes what it carries (the approved text's hash): nobody may send it
        // over a socket, so it is refused for who sends it, not for what it says.
        if (httpOnlyCommands.has(parsed.command.type)) {
          type = parsed.command.type;
          return done(failure(socket.data.claims.role === 'public' ? 'UNAUTHENTICATED' : 'FORBIDDEN', { issues: [`type: ${parsed.command.type} chỉ gửi qua API hồ sơ (/api/records)`] }));
        }
        const command = parsed.command;
        type = command.type;
        const claims = socket.data.claims;
        if (claims.role === 'public') return done(failure('UNAUTHENTICATED'));
        // A socket outlives its token's expiry: acting stops at `exp` even though watching may go on.
        if (claims.exp * 1000 <= auth.nowMs()) return done(failure('UNAUTHENTICATED'));
        const actor = actorOf(claims);
        if (!actor || !commandRoles[command.type].includes(actor.role)) return done(failure('FORBIDDEN'));
        // An open room's council, else the catalog's: one catalog read (a Redis round trip in a cluster) per ballot
        // was a good part of a vote storm's cost.
        const councilId = sessions.councilOf(command.sessionId) ?? (await catalog.getSession(command.sessionId))?.councilId;
        if (councilId === undefined) return done(failure('NOT_FOUND'));
        if (!can(claims, councilId)) return done(failure('FORBIDDEN'));
        // A delegate's ack carries their own part, which then need not be pushed separately: one write per ballot. Only
        // for a client that said it takes the part, and not when it asked for no answer — it would never see it.
        const ownPart = actor.role === 'delegate' && socket.data.ownPartInAck && wantsAnswer;
        const result = await sessions.submit(command, actor, { ownPart });
        if (result.ok && result.personal) deps.onPersonalDelivered?.(command.sessionId, actor.id, result.personal, socket.id);
        done(result);
      } catch (err) {
        const code = await unexpected(err);
        if (code === 'INTERNAL') log.error({ err, socket: socket.id, type }, 'session:command failed');
        done(failure(code));
      }
    });
  });
}
