/**
 * Who may publish and who may watch, for the `media:*` handlers (media/src/signaling.ts does the wire work).
 *
 * Publishing the hall feed: chair, secretary, admin, and display accounts (a camera PC in the hall signs in as a
 * display device) of the session's council. Delegates and the public never publish: the program feed is the
 * hall's, and a delegate's tablet camera must not be able to take it over.
 *
 * Watching over WebRTC:
 *  - chair, secretary, admin: always (they preview the camera before going on air);
 *  - delegates of the council: always, including a closed sitting (members attend it, e.g. remotely);
 *  - the wall: unless the sitting is closed (the hall screens blank with the public page);
 *  - the public (anonymous): only while on air and not closed.
 * Previewing one source instead of the program (the chair's source list): chair, secretary and admin only — a
 * source that is not on the air is not for the public, the wall or the delegates.
 * A viewer beyond the hub's cap is refused with VIEWER_CAP and the HLS URL.
 *
 * Publishing as the remote speaker (role `speaker`, hybrid sittings): only the delegate holding the floor, attending
 * remotely, in a council whose rules profile allows remote participation (remote-speaker.ts). That delegate's own
 * viewer follows the hall feed, so they see and hear the hall rather than themselves.
 */
import type { Socket } from 'socket.io';
import type { SessionContext } from '@hall/core';
import { canSee, type Claims } from '../auth/service.ts';
import { audienceOf } from '../realtime/gateway.ts';
import { SessionNotFoundError, type SessionRegistry } from '../runtime/registry.ts';
import type { MediaRole, MediaState, SignalingPolicy, Verdict } from './lib.ts';
import { remoteSpeakerOf } from './remote-speaker.ts';

export const PUBLISHER_ROLES: readonly Claims['role'][] = ['admin', 'chair', 'secretary', 'display'];
/** Who may preview a source that is not the program, and choose the program. */
export const PREVIEW_ROLES: readonly Claims['role'][] = ['admin', 'chair', 'secretary'];

export interface SessionFlags {
  onAir: boolean;
  closed: boolean;
  councilId: string;
  /** The delegate holding the floor remotely (hybrid sittings), or null. */
  remoteSpeaker: string | null;
}

export const flagsOf = (ctx: SessionContext): SessionFlags => ({ onAir: ctx.broadcast.onAir, closed: ctx.sitting.closed, councilId: ctx.council.id, remoteSpeaker: remoteSpeakerOf(ctx) });

/** May this audience watch over WebRTC now? The one rule the policy, the follower and the state share. */
export function mayWatch(audience: string, flags: Pick<SessionFlags, 'onAir' | 'closed'>): Verdict {
  switch (audience) {
    case 'chair':
    case 'secretary':
    case 'delegate':
      return { ok: true, audience };
    case 'wall':
      return flags.closed ? { ok: false, code: 'CLOSED_SITTING', message: 'Phiên họp kín: không truyền hình.' } : { ok: true, audience };
    default:
      if (flags.closed) return { ok: false, code: 'CLOSED_SITTING', message: 'Phiên họp kín: không truyền hình.' };
      if (!flags.onAir) return { ok: false, code: 'OFF_AIR', message: 'Phiên họp chưa được truyền hình trực tiếp.' };
      return { ok: true, audience };
  }
}

export interface PolicyDeps {
  registry: SessionRegistry;
  ensureBroadcast(sessionId: string): Promise<void>;
  /** Media state for one audience (the follower knows whether HLS is being written). */
  stateFor(sessionId: string, audience: string, flags: SessionFlags): MediaState;
  hlsUrl(sessionId: string): string | null;
}

export function mediaPolicy(deps: PolicyDeps): SignalingPolicy {
  const claimsOf = (socket: Socket) => (socket.data as { claims?: Claims }).claims;
  const session = async (sessionId: string): Promise<SessionFlags | null> => {
    try {
      return flagsOf((await deps.registry.get(sessionId)).snapshot.context);
    } catch (err) {
      if (err instanceof SessionNotFoundError) return null;
      throw err;
    }
  };
  const allowed = (claims: Claims | undefined, flags: SessionFlags) => !!claims && (claims.role === 'public' || canSee(claims, flags.councilId));

  return {
    async authorize(socket, sessionId, role: MediaRole, preview?: string): Promise<Verdict> {
      const claims = claimsOf(socket);
      const flags = await session(sessionId);
      if (!flags) return { ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy kỳ họp.' };
      if (!claims || !allowed(claims, flags)) return { ok: false, code: 'FORBIDDEN', message: 'Bạn không có quyền thực hiện thao tác này.' };
      const audience = audienceOf(claims);
      const isRemoteSpeaker = claims.role === 'delegate' && !!claims.delegateId && claims.delegateId === flags.remoteSpeaker;
      if (role === 'publisher') {
        return PUBLISHER_ROLES.includes(claims.role) ? { ok: true, audience } : { ok: false, code: 'FORBIDDEN', message: 'Tài khoản này không được phát hình hội trường.' };
      }
      if (role === 'speaker') {
        return isRemoteSpeaker ? { ok: true, audience } : { ok: false, code: 'FORBIDDEN', message: 'Chỉ đại biểu tham dự trực tuyến đang được phát biểu mới được phát hình và tiếng.' };
      }
      if (preview && !PREVIEW_ROLES.includes(claims.role)) return { ok: false, code: 'FORBIDDEN', message: 'Chỉ chủ tọa và thư ký được xem trước các nguồn hình.' };
      const verdict = mayWatch(audience, flags);
      return verdict.ok && isRemoteSpeaker ? { ...verdict, feed: 'hall' } : verdict;
    },
    async state(socket, sessionId) {
      const claims = claimsOf(socket);
      const flags = await session(sessionId);
      if (!flags) return { ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy kỳ họp.' };
      if (!claims || !allowed(claims, flags)) return { ok: false, code: 'FORBIDDEN', message: 'Bạn không có quyền thực hiện thao tác này.' };
      const audience = audienceOf(claims);
      return { audience, canPublish: PUBLISHER_ROLES.includes(claims.role), state: deps.stateFor(sessionId, audience, flags) };
    },
    ensureBroadcast: (sessionId) => deps.ensureBroadcast(sessionId),
    hlsUrl: (sessionId) => deps.hlsUrl(sessionId),
  };
}
