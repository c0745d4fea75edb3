/**
 * The program rules, one implementation for every hub (werift and mediasoup): which of a broadcast's sources is on
 * the program, and when a switch lands. The hubs own the media (peer connections, producers, sockets); this owns the
 * decision and announces it with `HubEvent`s.
 *
 * What the program shows, strongest first:
 *  1. a source the chair pinned (`pin`, `PUT …/program` with a source id) while it exists;
 *  2. the remote speaker's source (`REMOTE_SPEAKER_SOURCE`, hybrid sittings) while it exists: a delegate given the
 *     floor from outside the hall is shown automatically;
 *  3. the hall's chosen source (`choose`, `POST …/program`; else the first source): a chosen camera that drops out and
 *     comes back takes the program back;
 *  4. otherwise the program stays where it is; when its source ends, the pending one, else the newest one still
 *     sending, else the newest.
 * A switch away from a source that is sending waits for the new source's first keyframe packet (no black, no broken
 * picture); a source that sends but never a recognisable keyframe gets the air after `PROGRAM_SWITCH_MAX_WAIT_MS`,
 * one that sends nothing never does.
 */
import { MediaError, PROGRAM_SWITCH_MAX_WAIT_MS, type BroadcastStats, type HubEvent, type HubLogger, type MediaKind, type PacketCounts, type PeerRef, type SourceKind, type SourceStats } from './hub.ts';
import { REMOTE_SPEAKER_SOURCE, type MediaState } from './wire.ts';

/** What the rules need to know of a source; each hub adds its media. */
export interface ProgramSource {
  readonly id: string;
  readonly kind: SourceKind;
  /** ms since epoch of the source's last video packet, or null. */
  lastVideoAt(): number | null;
  /** Asks the source for a keyframe now (a no-op for RTP encoders: their GOP provides them). */
  pli(): void;
}

export interface ProgramOptions {
  broadcastId: string;
  emit(event: HubEvent): void;
  log: HubLogger;
  /** A source counts as sending when its last video packet is this recent (a hub that polls its counters adds the period). */
  sendingMs: number;
  /** Clock, for tests. */
  now?: () => number;
}

type Commit = 'first' | 'replaced' | 'keyframe' | 'deadline' | 'now' | 'fallback';

export class ProgramSwitcher<S extends ProgramSource> {
  /** Insertion order = age; a replaced source (same id) keeps its place. */
  readonly sources = new Map<string, S>();
  programId: string | null = null;
  /** The hall's choice (else the first hall source). */
  chosenId: string | null = null;
  /** The chair's manual override, whatever the floor; null: automatic. */
  pinnedId: string | null = null;
  private pending: { id: string; deadline: NodeJS.Timeout; kicker: NodeJS.Timeout } | null = null;
  private readonly now: () => number;

  constructor(private readonly options: ProgramOptions) {
    this.now = options.now ?? Date.now;
  }

  get program(): S | null {
    return this.programId ? (this.sources.get(this.programId) ?? null) : null;
  }

  get pendingId(): string | null {
    return this.pending?.id ?? null;
  }

  /** True while the program shows the remote speaker (hybrid sittings). */
  get showsRemote(): boolean {
    return this.programId === REMOTE_SPEAKER_SOURCE;
  }

  /**
   * The hall's own picture for viewers who follow the hall (`feed: 'hall'`, the remote speaker's own viewer): the
   * program unless it is the remote speaker, then the hall source the program would fall back to.
   */
  get hallId(): string | null {
    if (!this.showsRemote) return this.programId;
    if (this.chosenId && this.chosenId !== REMOTE_SPEAKER_SOURCE && this.sources.has(this.chosenId)) return this.chosenId;
    return [...this.sources.keys()].filter((id) => id !== REMOTE_SPEAKER_SOURCE).at(-1) ?? null;
  }

  /** The source a program viewer receives: the hall's own picture for `feed: 'hall'`, else the program. */
  feedId(feed: PeerRef['feed']): string | null {
    return feed === 'hall' ? this.hallId : this.programId;
  }

  /** The source the rules want on the program, or null to keep it where it is. */
  private target(): string | null {
    for (const id of [this.pinnedId, REMOTE_SPEAKER_SOURCE, this.chosenId]) if (id !== null && this.sources.has(id)) return id;
    return null;
  }

  private sending(s: S): boolean {
    const at = s.lastVideoAt();
    return at !== null && this.now() - at < this.options.sendingMs;
  }

  /** Adds a source, or replaces the one with the same id (keeping its program status); returns the replaced one. */
  add(source: S): S | undefined {
    const previous = this.sources.get(source.id);
    this.sources.set(source.id, source);
    if (!this.programId || this.programId === source.id) this.commit(source.id, previous ? 'replaced' : 'first');
    else if (this.target() === source.id) this.switchTo(source.id);
    else this.emitSources();
    return previous;
  }

  /**
   * Forgets a source (only that instance when `only` is given); a program source hands over at once to what the rules
   * want, else the pending one, else the newest one still sending. Returns the removed source for the hub to close.
   */
  remove(id: string, only?: S): S | undefined {
    const s = this.sources.get(id);
    if (!s || (only && s !== only)) return undefined;
    this.sources.delete(id);
    if (this.pending?.id === id) this.clearPending();
    if (this.programId !== id) {
      this.emitSources();
      return s;
    }
    const rest = [...this.sources.values()];
    const wanted = this.target();
    const next =
      (wanted && this.sources.get(wanted)) || (this.pending && this.sources.get(this.pending.id)) || rest.filter((x) => this.sending(x)).at(-1) || rest.at(-1) || null;
    if (next) {
      this.commit(next.id, 'fallback');
      return s;
    }
    this.clearPending();
    this.programId = null;
    this.options.emit({ type: 'ingestEnded', broadcastId: this.options.broadcastId });
    this.emitSources();
    return s;
  }

  /** The hall's choice (`POST …/program`): on the program unless a pin or the remote speaker outranks it. */
  choose(id: string) {
    this.need(id);
    this.chosenId = id;
    this.apply();
  }

  /** The chair's override: `id` stays on the program whatever the floor; null returns to the automatic rules. */
  pin(id: string | null) {
    if (id !== null) this.need(id);
    this.pinnedId = id;
    this.apply();
  }

  private need(id: string) {
    if (!this.sources.has(id)) throw new MediaError('NO_SOURCE', `no source ${id} in broadcast ${this.options.broadcastId}`);
  }

  private apply() {
    const wanted = this.target();
    if (wanted) this.switchTo(wanted);
    else this.emitSources();
  }

  /** A video packet of `source` starting a keyframe: a pending switch to it lands here. */
  keyframe(source: S) {
    if (this.pending?.id === source.id && this.sources.get(source.id) === source) this.commit(source.id, 'keyframe');
  }

  private switchTo(id: string) {
    const s = this.sources.get(id)!;
    if (this.programId === id) {
      this.clearPending();
      this.emitSources();
      return;
    }
    if (this.pending?.id === id) return;
    const current = this.program;
    // Nothing worth keeping on screen: switch now and ask for a picture.
    if (!current || !this.sending(current)) return this.commit(id, 'now');
    this.clearPending();
    this.pending = {
      id,
      deadline: setTimeout(() => this.pendingDeadline(s), PROGRAM_SWITCH_MAX_WAIT_MS),
      kicker: setInterval(() => s.pli(), 500),
    };
    s.pli();
    this.emitSources();
  }

  private pendingDeadline(s: S) {
    if (this.pending?.id !== s.id || this.sources.get(s.id) !== s) return;
    if (this.sending(s)) return this.commit(s.id, 'deadline');
    this.pending.deadline = setTimeout(() => this.pendingDeadline(s), PROGRAM_SWITCH_MAX_WAIT_MS);
  }

  private commit(id: string, why: Commit) {
    const s = this.sources.get(id);
    if (!s) return;
    this.clearPending();
    const changed = this.programId !== id || why === 'replaced';
    this.programId = id;
    if (id !== REMOTE_SPEAKER_SOURCE) this.chosenId ??= id;
    if (why !== 'first' && why !== 'replaced') this.options.log.info({ broadcastId: this.options.broadcastId, sourceId: id, why }, 'program source switched');
    // A switch that did not land on a keyframe needs one for viewers to decode the new source.
    if (why === 'now' || why === 'fallback' || why === 'deadline') s.pli();
    if (changed) this.options.emit({ type: 'ingest', broadcastId: this.options.broadcastId, kind: s.kind });
    this.emitSources();
  }

  private emitSources() {
    this.options.emit({ type: 'sources', broadcastId: this.options.broadcastId, programSourceId: this.programId });
  }

  private clearPending() {
    if (!this.pending) return;
    clearTimeout(this.pending.deadline);
    clearInterval(this.pending.kicker);
    this.pending = null;
  }

  /** Ends the broadcast's rules: no timers left, every source forgotten (the hub closes them). */
  close(): S[] {
    this.clearPending();
    const all = [...this.sources.values()];
    this.sources.clear();
    this.programId = null;
    return all;
  }
}

/**
 * What the program shows people — the remote speaker or the hall — from a broadcast's stats (none: the hall). The one
 * answer for the `media:state` overlay and the HTTP status, so the two never disagree.
 */
export function programShown(stats: Pick<BroadcastStats, 'programSourceId'> | null | undefined): NonNullable<MediaState['program']> {
  return stats?.programSourceId === REMOTE_SPEAKER_SOURCE ? 'remote' : 'hall';
}

const NO_PACKETS: PacketCounts = { packets: 0, bytes: 0, bitrateKbps: 0, lastPacketAt: null };

/**
 * A source's `SourceStats` from a hub's counters (a kind not counted yet counts as nothing); video adds the size and
 * frame rate the hub measured, and `hasAudio` false gives `audio: null`.
 */
export function sourceStats(
  s: Pick<SourceStats, 'id' | 'kind' | 'label' | 'since'> & { videoSize: { width: number; height: number } | null; frameRate: { readonly fps: number | null } },
  videoCodec: string,
  counts: Partial<Record<MediaKind, PacketCounts>>,
  hasAudio: boolean,
): SourceStats {
  const fps = s.frameRate.fps;
  return {
    id: s.id,
    kind: s.kind,
    label: s.label,
    since: s.since,
    video: { codec: videoCodec, ...(counts.video ?? NO_PACKETS), ...(s.videoSize ?? {}), ...(fps ? { frameRate: fps } : {}) },
    audio: hasAudio ? { codec: 'opus', ...(counts.audio ?? NO_PACKETS) } : null,
  };
}

/** `BroadcastStats` from a hub's sources and viewers: the bookkeeping both hubs share. */
export function broadcastStats(
  b: { id: string; videoCodec: BroadcastStats['videoCodec']; switcher: ProgramSwitcher<ProgramSource>; taps: number; keyframeRequests: number },
  sources: SourceStats[],
  viewers: PeerRef[],
): BroadcastStats {
  const byAudience: Record<string, number> = {};
  for (const v of viewers) {
    const a = v.audience ?? 'unknown';
    byAudience[a] = (byAudience[a] ?? 0) + 1;
  }
  const program = sources.find((s) => s.id === b.switcher.programId);
  return {
    id: b.id,
    videoCodec: b.videoCodec,
    ingest: program ? { kind: program.kind, since: program.since, video: program.video, audio: program.audio, rejectedPackets: program.rejectedPackets ?? 0 } : null,
    sources,
    programSourceId: b.switcher.programId,
    pendingProgramSourceId: b.switcher.pendingId,
    pinnedProgramSourceId: b.switcher.pinnedId,
    viewers: viewers.length,
    viewersByAudience: byAudience,
    taps: b.taps,
    keyframeRequests: b.keyframeRequests,
  };
}

