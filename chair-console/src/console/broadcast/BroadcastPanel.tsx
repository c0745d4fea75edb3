/**
 * "Truyền hình": what the broadcast is doing, beside the speaker and the vote. A preview of the program feed
 * (WebRTC as staff), whether a camera or encoder is sending (bitrate, size, age of the last packet), WebRTC viewers by
 * audience against the cap, the HLS address, the recording, which media server runs and why, and the camera page.
 * Going on and off air stays in the toolbar (Lên sóng / Tắt sóng), where the chair's hand knows it.
 *
 * Data: `/api/media/status` every 2 s (bearer token) for the figures; `media:state` on the console's socket for the
 * instant changes (signal up/down, HLS address).
 */
import { useHall, useView } from '@hall/client-kit/react';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useT, type Key } from '../../i18n.ts';
import { formatTime } from '../data.ts';
import { ProgramPreview, type PreviewSnapshot } from './preview.ts';
import { useMediaStatus } from './status.ts';

const AUDIENCES = ['public', 'wall', 'chair', 'secretary', 'delegate'] as const;

const IDLE: PreviewSnapshot = { state: null, backend: null, stream: null, phase: 'connecting', error: null };
const noSubscribe = () => () => undefined;

function usePreview(sessionId: string): PreviewSnapshot {
  const client = useHall();
  const [preview, setPreview] = useState<ProgramPreview | null>(null);
  useEffect(() => {
    const p = new ProgramPreview(client, sessionId);
    p.start();
    setPreview(p);
    return () => {
      void p.close();
      setPreview(null);
    };
  }, [client, sessionId]);
  return useSyncExternalStore(preview?.subscribe ?? noSubscribe, preview?.getSnapshot ?? (() => IDLE));
}

export function BroadcastPanel({ token }: { token: string }) {
  const view = useView();
  if (!view) return null;
  return <Panel token={token} sessionId={view.sessionId} onAir={view.broadcast.onAir} since={view.broadcast.since} closed={view.closedSitting} />;
}

function Panel({ token, sessionId, onAir, since, closed }: { token: string; sessionId: string; onAir: boolean; since: number | null; closed: boolean }) {
  const { t, lang } = useT();
  const preview = usePreview(sessionId);
  const { status, session, error } = useMediaStatus(token, sessionId);
  const videoRef = useRef<HTMLVideoElement>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    const v = videoRef.current;
    if (!v) return;
    if (v.srcObject !== preview.stream) v.srcObject = preview.stream;
    if (preview.stream) void v.play().catch(() => undefined);
  }, [preview.stream]);

  const num = (n: number, digits = 0) => new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
  const ingest = session?.ingest ?? null;
  const backend = status?.backend ?? preview.backend;
  const hls = session?.hls ?? preview.state?.hls ?? null;
  const cameraPath = `/camera?session=${encodeURIComponent(sessionId)}`;
  const cameraUrl = `${location.origin}${cameraPath}`;
  const byAudience = session?.viewersByAudience ?? {};
  const audienceLine = AUDIENCES.filter((a) => (byAudience[a] ?? 0) > 0)
    .map((a) => `${t(`tv.audiences.${a}` as Key)} ${byAudience[a]}`)
    .join(' · ');
  const others = Object.entries(byAudience).filter(([a, n]) => n > 0 && !(AUDIENCES as readonly string[]).includes(a));

  let previewWords: string | null = null;
  if (!preview.stream) {
    if (preview.phase === 'error' && preview.error) previewWords = t('tv.previewError', { message: preview.error });
    else if (preview.phase === 'noSignal' || (preview.state && !preview.state.live)) previewWords = t('tv.previewNoSignal');
    else previewWords = t('tv.previewConnecting');
  }

  return (
    <section className={`panel tv-panel${onAir ? ' is-on-air' : ''}`} aria-labelledby="tv-title">
      <div className="panel-head">
        <h2 id="tv-title" className="panel-title">
          {t('tv.title')}
        </h2>
        {closed ? (
          <span className="badge badge-closed">
            <span aria-hidden="true">⊘ </span>
            {t('tv.closed')}
          </span>
        ) : onAir ? (
          <span className="badge badge-onair">
            <span aria-hidden="true">◉ </span>
            {t('tv.onAir')}
            {since !== null && ` · ${formatTime(since)}`}
          </span>
        ) : (
          <span className="badge badge-adjourned">
            <span aria-hidden="true">○ </span>
            {t('tv.offAir')}
          </span>
        )}
      </div>

      <figure className="tv-preview">
        {preview.stream ? (
          <video ref={videoRef} className="tv-video" muted autoPlay playsInline aria-label={t('tv.preview')} data-phase={preview.phase} />
        ) : (
          <p className="tv-video tv-video-empty" role="status">
            {previewWords}
          </p>
        )}
        <figcaption className="small muted">{t('tv.preview')}</figcaption>
      </figure>

      {error && !status && (
        <p className="error-text small" role="alert">
          {t('tv.statusError', { message: error })}
        </p>
      )}

      <dl className="tv-facts">
        <dt>{t('tv.ingest')}</dt>
        <dd data-testid="tv-ingest">
          {ingest ? (
            <>
              <span className={`tv-health ${ingest.healthy ? 'is-ok' : 'is-lost'}`}>
                <span aria-hidden="true">{ingest.healthy ? '✔ ' : '⚠ '}</span>
                {ingest.healthy ? t('tv.ingestOk') : t('tv.ingestLost')}
              </span>{' '}
              {t(`tv.ingestKinds.${ingest.kind}` as Key)}
              <br />
              <span className="small">
                {t('tv.ingestDetail', {
                  size: ingest.width && ingest.height ? `${ingest.width}×${ingest.height}` : '—',
                  kbps: num(ingest.videoKbps + (ingest.audioKbps ?? 0)),
                  ago: ingest.lastPacketAgoMs === null ? '—' : num(ingest.lastPacketAgoMs / 1000, 1),
                })}
              </span>
            </>
          ) : (
            <span className="muted">{t('tv.ingestNone')}</span>
          )}
        </dd>

        <dt>{t('tv.viewers')}</dt>
        <dd data-testid="tv-viewers">
          {t('tv.viewersLine', { count: session?.viewers ?? 0, max: status?.maxViewers ?? '—', total: status?.viewers ?? 0 })}
          {(audienceLine || others.length > 0) && (
            <>
              <br />
              <span className="small">{[audienceLine, ...others.map(([a, n]) => `${a} ${n}`)].filter(Boolean).join(' · ')}</span>
            </>
          )}
        </dd>

        <dt>{t('tv.hls')}</dt>
        <dd>
          {hls ? (
            <a href={hls} target="_blank" rel="noopener noreferrer" className="tv-url">
              {hls}
            </a>
          ) : (
            <span className="muted">{t('tv.hlsOff')}</span>
          )}
          <br />
          <span className="small muted">{t('tv.hlsNote')}</span>
        </dd>

        <dt>{t('tv.recording')}</dt>
        <dd className="tv-url">{session?.recording ?? <span className="muted">{t('tv.recordingOff')}</span>}</dd>

        <dt>{t('tv.backend')}</dt>
        <dd>
          <strong>{backend ?? '—'}</strong>
          {backend && <span className="small"> — {t(`tv.backendNote.${backend}` as Key)}</span>}
          {status?.reason && (
            <>
              <br />
              <span className="small muted">{t('tv.backendWhy', { reason: status.reason })}</span>
            </>
          )}
        </dd>
      </dl>

      <div className="tv-camera">
        <a
          className="btn btn-small"
          href={cameraPath}
          target="_blank"
          rel="noopener"
          aria-label={t('tv.cameraLabel')}
          // The camera page is on this origin and signs in with `hall.token`: this computer publishes as this account.
          onClick={() => {
            try {
              localStorage.setItem('hall.token', token);
            } catch {
              // storage forbidden: the page asks for ?token=
            }
          }}
        >
          {t('tv.camera')} <span aria-hidden="true">↗</span>
        </a>
        <p className="small muted">{t('tv.cameraHint')}</p>
        <p className="row">
          <code className="tv-url small">{cameraUrl}</code>
          <button
            type="button"
            className="btn btn-small btn-quiet"
            onClick={() => {
              void navigator.clipboard?.writeText(cameraUrl).then(() => {
                setCopied(true);
                setTimeout(() => setCopied(false), 2000);
              });
            }}
          >
            {copied ? t('tv.copied') : t('tv.copy')}
          </button>
        </p>
      </div>
    </section>
  );
}
