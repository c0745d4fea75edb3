/**
 * Socket.IO handlers for `media:*` (wire.ts), over any hub. Who may publish or watch is a policy the caller supplies
 * (the Hall server decides from the socket's claims and the session view); this file only validates, routes to the
 * hub, acks with a closed error set, and remembers which socket owns which peer so a disconnect frees it.
 *
 * Each handler follows validate → authorize → hub → ack; anything unexpected is logged and reported as INTERNAL.
 */
import { socketArgs } from '@hall/core';
import type { Server, Socket } from 'socket.io';
import { MediaError, type HubLogger, type MediaHub } from './hub.ts';
import {
  MediaInfoRequest,
  MediaKeyframeRequest,
  MediaLeaveRequest,
  MediaSignalRequest,
  type MediaErrorCodeWire,
  type MediaFailure,
  type MediaInfoAck,
  type MediaRole,
  type MediaSignalAck,
  type MediaSimpleAck,
  type MediaState,
  type SignalRequest,
  REMOTE_SPEAKER_SOURCE,
} from './wire.ts';

/** `feed: 'hall'`: this viewer sees the hall's own feed even while a remote speaker is on the program (the speaker). */
export type Verdict = { ok: true; audience: string; feed?: 'program' | 'hall' } | { ok: false; code: MediaErrorCodeWire; message: string };

export interface SignalingPolicy {
  /**
   * May this socket act as `role` on the session now? Called before every signaling step. `preview` is the source a
   * viewer asks to see instead of the program (the chair's source previews): staff only.
   */
  authorize(socket: Socket, sessionId: string, role: MediaRole, preview?: string): Promise<Verdict>;
  /** The state this socket should see (for `media:info` and the room it is put in). */
  state(socket: Socket, sessionId: string): Promise<{ audience: string; canPublish: boolean; state: MediaState } | { ok: false; code: MediaErrorCodeWire; message: string }>;
  /** Creates the hub broadcast on demand (a camera may connect before the session goes on air). */
  ensureBroadcast(broadcastId: string): Promise<void>;
  hlsUrl(sessionId: string): string | null;
}

/** The hub source a camera page publishes under its own name (stable across reloads). */
const cameraSource = (name: string) => `cam-${name}`;

export const mediaRoom = (sessionId: string, audience: string) => `m:${sessionId}:${audience}`;


interface Owned {
  socket: Socket;
  sessionId: string;
  role: MediaRole;
  peerId: string;
  /** Publishers: the hub source this peer feeds. */
  sourceId?: string;
}

const MESSAGES: Record<MediaErrorCodeWire, string> = {
  VALIDATION: 'Yêu cầu không hợp lệ.',
  FORBIDDEN: 'Bạn không có quyền thực hiện thao tác này.',
  NOT_FOUND: 'Không tìm thấy kỳ họp.',
  VIEWER_CAP: 'Đã đủ số người xem trực tiếp; vui lòng xem qua luồng HLS.',
  OFF_AIR: 'Phiên họp chưa được truyền hình trực tiếp.',
  CLOSED_SITTING: 'Phiên họp kín: không truyền hình.',
  BAD_SIGNAL: 'Thông điệp kết nối media không hợp lệ.',
  CODEC_MISMATCH: 'Định dạng video không phù hợp.',
  NO_SOURCE: 'Nguồn hình không còn tồn tại.',
  INTERNAL: 'Lỗi hệ thống, vui lòng thử lại.',
};

export const mediaFailure = (code: MediaErrorCodeWire, extra: Partial<MediaFailure> = {}): MediaFailure => ({ ok: false, code, message: MESSAGES[code], ...extra });


export interface MediaSignaling {
  /** Pushes `media:state` to everyone in the session's media rooms, computed per audience. */
  pushState(sessionId: string, stateFor: (audience: string) => MediaState): void;
  /** Tells the owners of the selected peers they are dropped, then drops them in the hub. */
  endPeers(sessionId: string, which: (peer: { audience: string; role: MediaRole }) => boolean, reason: 'offAir' | 'closedSitting' | 'replaced' | 'closed' | 'floorEnded'): Promise<number>;
  detach(): void;
}

export function attachMediaSignaling(io: Server, deps: { hub: MediaHub; policy: SignalingPolicy; log: HubLogger }): MediaSignaling {
  const { hub, policy, log } = deps;
  const owners = new Map<string, Owned & { audience: string }>();
  /**
   * Per session, the audiences whose media rooms sockets have joined: a state push visits only those rooms. (Scanning
   * every room of the server instead — one per socket — cost a province-wide vote storm seconds of CPU per second.)
   */
  const audiencesOf = new Map<string, Set<string>>();
  const key = (sessionId: string, peerId: string) => `${sessionId}\u0000${peerId}`;

  const offHub = hub.on((e) => {
    if (e.type !== 'peerClosed') return;
    const sessionId = e.broadcastId;
    const owned = owners.get(key(sessionId, e.peerId));
    if (!owned) return;
    owners.delete(key(sessionId, e.peerId));
  });

  /**
   * The publishers a new one replaces — those feeding the same source (other cameras are sources of their own): they
   * hear why (`media:ended` "replaced"), so they wait instead of fighting back.
   */
  const sameSourcePublishers = (sessionId: string, sourceId: string, newPeerId: string) => {
    return [...owners].filter(([k, o]) => o.sessionId === sessionId && o.role !== 'viewer' && o.sourceId === sourceId && k !== key(sessionId, newPeerId));
  };

  const onConnection = (socket: Socket) => {
    // One program viewer and one publisher per socket; previews are one per source.
    const peerId = (role: MediaRole, preview?: string) => (role === 'viewer' && preview ? `${socket.id}:preview:${preview}` : `${socket.id}:${role}`);

    socket.on('media:info', async (...args: unknown[]) => {
      const { payload: raw, reply, extra } = socketArgs<MediaInfoAck>(args);
      if (extra) return reply(mediaFailure('VALIDATION'));
      try {
        const req = MediaInfoRequest.safeParse(raw);
        if (!req.success) return reply(mediaFailure('VALIDATION'));
        const s = await policy.state(socket, req.data.sessionId);
        if ('ok' in s) return reply(mediaFailure(s.code, { message: s.message }));
        await socket.join(mediaRoom(req.data.sessionId, s.audience));
        let audiences = audiencesOf.get(req.data.sessionId);
        if (!audiences) audiencesOf.set(req.data.sessionId, (audiences = new Set()));
        audiences.add(s.audience);
        const stats = hub.stats(req.data.sessionId);
        const camera = req.data.source && s.canPublish ? cameraSource(req.data.source) : null;
        const sourceLive = camera ? { sourceLive: !!stats?.sources.some((x) => x.id === camera) } : {};
        reply({ ok: true, backend: hub.backend, flavor: hub.flavor, canPublish: s.canPublish, maxViewers: hub.maxViewers, viewers: stats?.viewers ?? 0, ...sourceLive, ...s.state });
      } catch (err) {
        log.error({ err, socket: socket.id }, 'media:info failed');
        reply(mediaFailure('INTERNAL'));
      }
    });

    socket.on('media:signal', async (...args: unknown[]) => {
      const { payload: raw, reply, extra } = socketArgs<MediaSignalAck>(args);
      if (extra) return reply(mediaFailure('VALIDATION'));
      let sessionId = '';
      try {
        const req = MediaSignalRequest.safeParse(raw);
        if (!req.success) return reply(mediaFailure('VALIDATION'));
        sessionId = req.data.sessionId;
        const { role, source, label } = req.data;
        const verdict = await policy.authorize(socket, sessionId, role, role === 'viewer' ? source : undefined);
        if (!verdict.ok) return reply(mediaFailure(verdict.code, { message: verdict.message }));
        await policy.ensureBroadcast(sessionId);
        const id = peerId(role, source);
        const hubRole = role === 'viewer' ? ('viewer' as const) : ('publisher' as const);
        // A remote speaker is one more source of the session's program, under its own name (src/program.ts).
        const sourceId = role === 'speaker' ? REMOTE_SPEAKER_SOURCE : source && (role === 'viewer' ? source : cameraSource(source));
        const fedSource = role !== 'viewer' ? (sourceId ?? id) : undefined;
        // Read before the hub replaces the source: it forgets the previous publisher as it closes it.
        const previous = fedSource && !owners.has(key(sessionId, id)) ? sameSourcePublishers(sessionId, fedSource, id) : [];
        const ref = {
          peerId: id,
          role: hubRole,
          audience: verdict.audience,
          ...(sourceId ? { sourceId } : {}),
          ...(label && hubRole === 'publisher' ? { label } : {}),
          ...(verdict.feed ? { feed: verdict.feed } : {}),
        };
        const answer = await hub.signal(sessionId, ref, req.data.message as SignalRequest);
        owners.set(key(sessionId, id), { socket, sessionId, role, peerId: id, audience: verdict.audience, ...(fedSource ? { sourceId: fedSource } : {}) });
        for (const [k, o] of previous) {
          owners.delete(k);
          o.socket.emit('media:ended', { sessionId, role: o.role, reason: 'replaced' });
        }
        reply({ ok: true, peerId: id, reply: answer });
      } catch (err) {
        if (err instanceof MediaError) {
          const code: MediaErrorCodeWire = err.code === 'NO_BROADCAST' ? 'NOT_FOUND' : err.code;
          return reply(mediaFailure(code, { ...(code === 'VIEWER_CAP' ? { message: err.message, hls: policy.hlsUrl(sessionId) } : { message: err.message }) }));
        }
        log.error({ err, socket: socket.id, sessionId }, 'media:signal failed');
        reply(mediaFailure('INTERNAL'));
      }
    });

    socket.on('media:leave', async (...args: unknown[]) => {
      const { payload: raw, reply, extra } = socketArgs<MediaSimpleAck>(args);
      if (extra) return reply(mediaFailure('VALIDATION'));
      const req = MediaLeaveRequest.safeParse(raw);
      if (!req.success) return reply(mediaFailure('VALIDATION'));
      const ids: [MediaRole, string][] = req.data.source
        ? [['viewer', peerId('viewer', req.data.source)]]
        : (req.data.role ? [req.data.role] : (['publisher', 'viewer', 'speaker'] as const)).map((role) => [role, peerId(role)]);
      for (const [role, id] of ids) {
        owners.delete(key(req.data.sessionId, id));
        await hub.removePeer(req.data.sessionId, id).catch(() => undefined);
      }
      reply({ ok: true });
    });

    socket.on('media:keyframe', async (...args: unknown[]) => {
      const { payload: raw, reply, extra } = socketArgs<MediaSimpleAck>(args);
      if (extra) return reply(mediaFailure('VALIDATION'));
      const req = MediaKeyframeRequest.safeParse(raw);
      if (!req.success) return reply(mediaFailure('VALIDATION'));
      // Only someone who is watching may ask; the hub throttles anyway.
      if (![...owners.values()].some((o) => o.socket === socket && o.sessionId === req.data.sessionId && o.role === 'viewer')) return reply(mediaFailure('FORBIDDEN'));
      hub.requestKeyFrame(req.data.sessionId);
      reply({ ok: true });
    });

    socket.on('disconnect', () => {
      for (const [k, o] of owners) {
        if (o.socket !== socket) continue;
        owners.delete(k);
        void hub.removePeer(o.sessionId, o.peerId).catch(() => undefined);
      }
    });
  };

  io.on('connection', onConnection);

  return {
    pushState(sessionId, stateFor) {
      const audiences = audiencesOf.get(sessionId);
      if (!audiences) return;
      const rooms = io.of('/').adapter.rooms;
      for (const audience of audiences) {
        const room = mediaRoom(sessionId, audience);
        // Everyone left: forget the audience until a socket joins it again.
        if (!rooms.get(room)?.size) audiences.delete(audience);
        else io.to(room).emit('media:state', stateFor(audience));
      }
      if (!audiences.size) audiencesOf.delete(sessionId);
    },
    async endPeers(sessionId, which, reason) {
      const chosen = [...owners.entries()].filter(([, o]) => o.sessionId === sessionId && which(o));
      for (const [k, o] of chosen) {
        owners.delete(k);
        o.socket.emit('media:ended', { sessionId, role: o.role, reason });
        await hub.removePeer(sessionId, o.peerId).catch(() => undefined);
      }
      return chosen.length;
    },
    detach() {
      io.off('connection', onConnection);
      offHub();
    },
  };
}
