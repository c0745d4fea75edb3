/**
 * Hybrid sittings (DOMAIN.md §9 — off unless the council's rules profile has `remoteParticipation`): a delegate who
 * attends remotely and is given the floor publishes camera and microphone from their tablet (`media:signal` role
 * `speaker`) as the session's remote-speaker source (`REMOTE_SPEAKER_SOURCE`), one more source of the session's
 * program. The program rules (media/src/program.ts) show it while it exists — the hall wall, the public page, HLS and
 * the recording — unless the chair pinned another source (`PUT …/program`). The remote speaker's own viewer follows
 * the hall (`feed: 'hall'`), so they see and hear the hall, never themselves.
 *
 * This file ends the speaker's publication when the floor moves on (`media:ended` `floorEnded`); the hall is back on
 * the program as the source ends.
 */
import type { SessionContext } from '@hall/core';
import { REMOTE_SPEAKER_SOURCE, type MediaHub, type MediaSignaling } from './lib.ts';

/** The delegate holding the floor from outside the hall, when the council allows remote participation. */
export function remoteSpeakerOf(ctx: SessionContext): string | null {
  if (!ctx.council.profile.remoteParticipation) return null;
  const speaker = ctx.floor.current?.speaker;
  if (speaker?.kind !== 'delegate') return null;
  return ctx.attendance[speaker.id]?.status === 'remote' ? speaker.id : null;
}

export class RemoteSpeakerFloor {
  /** The remote speaker of each session that has one now: a session without one holds no entry. */
  private readonly speakers = new Map<string, string>();

  constructor(private readonly deps: { hub: MediaHub; signaling: MediaSignaling }) {}

  /** Called by the broadcast follower on every session change. */
  async apply(sessionId: string, ctx: SessionContext) {
    const { hub, signaling } = this.deps;
    const speaker = remoteSpeakerOf(ctx);
    const former = this.speakers.get(sessionId);
    if (former && former !== speaker) {
      // The floor moved on: the former remote speaker stops publishing (their tablet hears why).
      await signaling.endPeers(sessionId, (p) => p.role === 'speaker', 'floorEnded');
      if (hub.hasBroadcast(sessionId)) await hub.stopIngest(sessionId, REMOTE_SPEAKER_SOURCE);
    }
    if (speaker) this.speakers.set(sessionId, speaker);
    else this.speakers.delete(sessionId);
  }

  /** Sessions with a remote speaker now (for tests: nothing is kept for the others). */
  get size() {
    return this.speakers.size;
  }
}
