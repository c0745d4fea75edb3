/**
 * The video slot of the public page (and of a wall opened with `?video=1`): the program feed over WebRTC, or HLS when
 * WebRTC is not offered, refused or fails (player.ts decides), with a visible unmute button and a small status line
 * (WebRTC/HLS and the measured delay). It reports that delay through `onLatency` so the overlays wait for the
 * picture. Off air or without a signal it shows words and no <video>; in a closed sitting it shows only
 * “Phiên họp kín — không truyền hình”. A picture that stopped moving is covered by a “Mất tín hiệu” slate and loses
 * the live badge: a frozen frame is never presented as live.
 */
import { useHallOptional } from '@hall/client-kit/react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useStrings } from '../shared/i18n.ts';
// The player (and with it the media client, hls.js and mediasoup-client behind their own dynamic imports) loads only
// when a page actually shows video: the wall's bundle does not carry it.
import type { LivePlayer, PlayerOptions, PlayerSnapshot } from './player.ts';

export interface BroadcastPlayerProps {
  /** `view.broadcast.onAir`: the chair has started the live broadcast (shown until the media state arrives). */
  onAir: boolean;
  /** The session whose stream to play. */
  sessionId: string;
  /** `view.closedSitting`: stop at once and show no video. */
  closed?: boolean;
  /** How late the picture on screen is, in ms (0 when none was shown): the page delays its overlays by it. */
  onLatency?: (ms: number) => void;
  /** true while the signal is lost (the picture stopped): the page hides its overlays. */
  onSignalLost?: (lost: boolean) => void;
  /** Never WebRTC (`?hls=1`). */
  forceHls?: boolean;
  /** The hall wall: no status line, no unmute button. */
  compact?: boolean;
  /** Tests and embedders. */
  options?: Omit<PlayerOptions, 'forceHls'>;
}

const IDLE: PlayerSnapshot = {
  phase: 'connecting',
  tech: null,
  hlsReason: null,
  latencyMs: null,
  overlayDelayMs: 0,
  measured: false,
  sampleMs: null,
  backend: null,
  onAir: false,
  live: false,
  muted: true,
  needsGesture: false,
};
const noSubscribe = () => () => undefined;

/** What tests and curious operators can read from the console: `window.hallLive.player`. */
export function debugHook(): Record<string, unknown> {
  const w = window as unknown as { hallLive?: Record<string, unknown> };
  return (w.hallLive ??= {});
}

export function BroadcastPlayer({ onAir, sessionId, closed = false, onLatency, onSignalLost, forceHls = false, compact = false, options }: BroadcastPlayerProps) {
  const { w, lang } = useStrings();
  const host = useHallOptional();
  const [player, setPlayer] = useState<LivePlayer | null>(null);

  useEffect(() => {
    if (!host) return;
    let p: LivePlayer | null = null;
    let cancelled = false;
    void import('./player.ts').then(({ LivePlayer }) => {
      if (cancelled) return;
      p = new LivePlayer(host, sessionId, { ...options, forceHls });
      p.start();
      setPlayer(p);
    });
    return () => {
      cancelled = true;
      void p?.close();
      setPlayer(null);
    };
    // `options` is read once per player: a new object each render must not restart playback.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [host, sessionId, forceHls]);

  useEffect(() => player?.setClosed(closed), [player, closed]);

  const snap = useSyncExternalStore(player?.subscribe ?? noSubscribe, player?.getSnapshot ?? (() => IDLE));
  const playing = snap.tech !== null;
  const lost = snap.phase === 'stale';

  useEffect(() => {
    onLatency?.(snap.overlayDelayMs);
  }, [snap.overlayDelayMs, onLatency]);
  useEffect(() => {
    onSignalLost?.(lost);
  }, [lost, onSignalLost]);

  useEffect(() => {
    const hook = debugHook();
    hook.player = { ...snap, sessionId };
  }, [snap, sessionId]);

  const isClosed = closed || snap.phase === 'closed';
  // The badge says the picture is live: never over a lost signal.
  const shownOnAir = (player && snap.phase !== 'connecting' ? snap.onAir : onAir) && !lost;
  const techName = snap.tech === 'webrtc' ? 'WebRTC' : snap.tech ? 'HLS' : '';
  const reason =
    snap.tech && snap.tech !== 'webrtc' && snap.hlsReason
      ? w({ forced: 'hlsForced', viewerCap: 'hlsViewerCap', webrtcFailed: 'hlsWebrtcFailed', notOffered: 'hlsNotOffered' }[snap.hlsReason] as 'hlsForced')
      : null;
  const seconds = snap.latencyMs !== null ? new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2, minimumFractionDigits: 1 }).format(snap.latencyMs / 1000) : '';
  const status = playing ? (snap.measured ? w('statusLatency', { tech: techName, seconds }) : w('statusMeasuring', { tech: techName })) : '';

  let words: string;
  if (isClosed) words = w('closedNoBroadcast');
  else if (snap.phase === 'offAir' || (!player && !onAir)) words = w('notOnAir');
  else if (snap.phase === 'noSignal') words = w('playerNoSignal');
  else if (lost) words = w('signalLost');
  else if (snap.phase === 'error') words = w('playerError');
  else words = w('playerConnecting');

  return (
    <div
      className={`player${shownOnAir && !isClosed ? ' player--on-air' : ''}${playing ? ' player--playing' : ''}`}
      role="region"
      aria-label={w('videoLabel')}
      data-session={sessionId}
      data-phase={isClosed ? 'closed' : snap.phase}
      data-tech={snap.tech ?? ''}
      data-hls-reason={snap.hlsReason ?? ''}
    >
      {playing && !isClosed ? (
        <>
          <video ref={player?.setVideo} className="player__video" muted autoPlay playsInline aria-label={w('videoTitle')} />
          <div className="player__bar">
            <p className="player__status">
              {shownOnAir && (
                <span className="player__live" aria-hidden="true">
                  ● {w('onAir')}
                </span>
              )}
              {!compact && status && !lost && (
                <span className="player__tech">
                  {status}
                  {reason && <span className="player__reason"> · {reason}</span>}
                </span>
              )}
            </p>
            {/* The hall wall stays silent (its loudspeakers would feed back into the hall's microphones). */}
            {!compact && (
              <button type="button" className="player__btn" aria-pressed={!snap.muted} onClick={() => player?.toggleMute()}>
                <SpeakerIcon muted={snap.muted} />
                {snap.muted ? w('unmute') : w('mute')}
              </button>
            )}
          </div>
          {snap.phase === 'starting' && (
            <p className="player__waiting" role="status">
              {w('playerConnecting')}
            </p>
          )}
          {lost && (
            // Opaque: the last frame stays under it, unseen, until frames come again.
            <div className="player__slate" role="status">
              <span className="player__slate-title">{w('signalLost')}</span>
              <span>{w('signalLostNote')}</span>
            </div>
          )}
          {snap.needsGesture && (
            <button type="button" className="player__play" onClick={() => player?.play()}>
              ▶ {w('tapToPlay')}
            </button>
          )}
        </>
      ) : (
        <p className="player__placeholder" role="status">
          {shownOnAir && !isClosed && (
            <span className="player__live" aria-hidden="true">
              ● {w('onAir')}
            </span>
          )}
          <span>{words}</span>
        </p>
      )}
    </div>
  );
}

/** A speaker, crossed out when muted (drawn, not an emoji: kiosks and phones lack emoji fonts). */
function SpeakerIcon({ muted }: { muted: boolean }) {
  return (
    <svg className="player__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
      {muted ? (
        <path d="M16 9l5 6M21 9l-5 6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" fill="none" />
      ) : (
        <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" stroke="currentColor" strokeWidth="2" strokeLinecap="round" fill="none" />
      )}
    </svg>
  );
}
