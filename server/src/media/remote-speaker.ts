/**
 * Hybrid sittings (DOMAIN.md §9 — off unless the council's rules profile has `remoteParticipation`): a delegate who
 * attends remotely and is given the floor publishes camera and microphone from their tablet into the session's
 * remote-speaker source (hub broadcast `remoteSourceId(session)`, `media:signal` role `speaker`). This puts that source on
 * the program — the hall wall, the public page, HLS and the recording — while the floor is theirs, and the hall feed
 * back when it moves on (then the speaker's publication is ended). The chair may override: always the hall, always
 * the remote speaker, or automatic (the default).
 *
 * The remote speaker keeps seeing and hearing the hall (their viewer follows the hall feed, `feed: 'hall'`), never
 * themselves.
 *
 * The switch itself is the hub's `setProgramSource` (werift). A backend without it keeps the hall on the program
 * and logs why. The chair's choice lives in this process's memory, like the RTP ingest: it is an operating choice,
 * not a decision of the sitting, and it returns to automatic after a restart.
 */
import type { SessionContext } from '@hall/core';
import { remoteSourceId, type HubLogger, type MediaHub, type MediaSignaling } from './lib.ts';

export type ProgramChoice = 'auto' | 'hall' | 'remote';
export type ProgramShown = 'hall' | 'remote';

/** The delegate holding the floor from outside the hall, when the council allows remote participation. */
export function remoteSpeakerOf(ctx: SessionContext): string | null {
  if (!ctx.council.profile.remoteParticipation) return null;
  const speaker = ctx.floor.current?.speaker;
  if (speaker?.kind !== 'delegate') return null;
  return ctx.attendance[speaker.id]?.status === 'remote' ? speaker.id : null;
}

interface Followed {
  choice: ProgramChoice;
  shown: ProgramShown;
  speaker: string | null;
}

export class RemoteSpeakerProgram {
  private readonly sessions = new Map<string, Followed>();
  private warned = false;

  constructor(private readonly deps: { hub: MediaHub; signaling: MediaSignaling; log: HubLogger }) {}

  private followed(sessionId: string): Followed {
    let f = this.sessions.get(sessionId);
    if (!f) this.sessions.set(sessionId, (f = { choice: 'auto', shown: 'hall', speaker: null }));
    return f;
  }

  shown(sessionId: string): ProgramShown {
    return this.sessions.get(sessionId)?.shown ?? 'hall';
  }

  choice(sessionId: string): ProgramChoice {
    return this.sessions.get(sessionId)?.choice ?? 'auto';
  }

  setChoice(sessionId: string, choice: ProgramChoice) {
    this.followed(sessionId).choice = choice;
  }

  /**
   * Brings the program in line with the session and the remote source; returns true when what it shows changed.
   * Called by the broadcast follower on every session change and on the remote source's ingest events.
   */
  async apply(sessionId: string, ctx: SessionContext): Promise<boolean> {
    const { hub, signaling, log } = this.deps;
    const f = this.followed(sessionId);
    const speaker = remoteSpeakerOf(ctx);
    if (f.speaker && f.speaker !== speaker) {
      // The floor moved on: the former remote speaker stops publishing (their tablet hears why).
      await signaling.endPeers(sessionId, (p) => p.role === 'speaker', 'floorEnded');
      if (hub.hasBroadcast(remoteSourceId(sessionId))) await hub.stopIngest(remoteSourceId(sessionId));
    }
    f.speaker = speaker;
    const sourceLive = !!hub.stats(remoteSourceId(sessionId))?.ingest;
    const wanted: ProgramShown = f.choice === 'hall' ? 'hall' : f.choice === 'remote' || speaker ? (sourceLive ? 'remote' : 'hall') : 'hall';
    if (wanted === f.shown) return false;
    if (!hub.setProgramSource) {
      if (!this.warned) log.warn({ backend: hub.backend }, 'this media backend cannot switch the program to a remote speaker; the hall stays on it');
      this.warned = true;
      return false;
    }
    if (!hub.hasBroadcast(sessionId)) return false;
    await hub.setProgramSource(sessionId, wanted === 'remote' ? remoteSourceId(sessionId) : null);
    f.shown = wanted;
    log.info({ sessionId, program: wanted, speaker }, 'program switched');
    return true;
  }
}
