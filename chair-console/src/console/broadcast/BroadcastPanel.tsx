/**
 * "Truyền hình": what the broadcast is doing, beside the speaker and the vote. A preview of the program feed
 * (WebRTC as staff); the sources (camera pages, encoders), each with its own preview, and the one on the air — the
 * chair switches with one press and the hub switches at the new source's next keyframe, so viewers never see black;
 * WebRTC viewers by audience against the cap; each output (HLS, recording, RTMP) green or red with the reason; the
 * archive of recordings; the camera page. Technical details (which media server runs and why, addresses, encoder
 * settings) stay in a disclosure so the card reads in Vietnamese words. Going on and off air stays in the toolbar
 * (Lên sóng / Tắt sóng), where the chair's hand knows it.
 *
 * Data: `/api/media/status` every 2 s (bearer token) for the figures; `media:state` on the console's socket for the
 * instant changes (signal up/down, HLS address).
 */
import { useHall, useView } from '@hall/client-kit/react';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useT, type Key } from '../../i18n.ts';
import { formatTime } from '../data.ts';
import { ProgramPreview, type PreviewSnapshot } from './preview.ts';
import { useMediaStatus, type MediaSourceStatus } from './status.ts';
import { outputRows } from './outputs.ts';
import { useRecordings, type ArchivedRecording } from './recordings.ts';
import { REMOTE_SPEAKER_SOURCE } from '@hall/media/wire';

const AUDIENCES = ['public', 'wall', 'chair', 'secretary', 'delegate'] as const;

const IDLE: PreviewSnapshot = { state: null, backend: null, stream: null, phase: 'connecting', error: null };
const noSubscribe = () => () => undefined;

function usePreview(sessionId: string, source: string | null = null): PreviewSnapshot {
  const client = useHall();
  const [preview, setPreview] = useState<ProgramPreview | null>(null);
  useEffect(() => {
    const p = new ProgramPreview(client, sessionId, source);
    p.start();
    setPreview(p);
    return () => {
      void p.close();
      setPreview(null);
    };
  }, [client, sessionId, source]);
  return useSyncExternalStore(preview?.subscribe ?? noSubscribe, preview?.getSnapshot ?? (() => IDLE));
}

/** A preview video bound to a snapshot's stream. */
function PreviewVideo({ snapshot, label, className }: { snapshot: PreviewSnapshot; label: string; className: string }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = videoRef.current;
    if (!v) return;
    if (v.srcObject !== snapshot.stream) v.srcObject = snapshot.stream;
    if (snapshot.stream) void v.play().catch(() => undefined);
  }, [snapshot.stream]);
  return <video ref={videoRef} className={className} muted autoPlay playsInline aria-label={label} data-phase={snapshot.phase} />;
}

export function BroadcastPanel({ token }: { token: string }) {
  const view = useView();
  if (!view) return null;
  return <Panel token={token} sessionId={view.sessionId} onAir={view.broadcast.onAir} since={view.broadcast.since} closed={view.closedSitting} />;
}

async function staffCall(token: string, method: 'POST' | 'PUT' | 'DELETE', url: string, body?: object): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || json.ok === false) throw new Error(typeof json.message === 'string' ? json.message : `HTTP ${res.status}`);
  return json;
}

function Panel({ token, sessionId, onAir, since, closed }: { token: string; sessionId: string; onAir: boolean; since: number | null; closed: boolean }) {
  const { t, lang } = useT();
  const preview = usePreview(sessionId);
  const { status, session, error, refresh } = useMediaStatus(token, sessionId);
  const [copied, setCopied] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [encoder, setEncoder] = useState<{ sourceId: string; ffmpeg: Record<string, string> } | null>(null);

  const num = (n: number, digits = 0) => new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
  const ingest = session?.ingest ?? null;
  const backend = status?.backend ?? preview.backend;
  const hls = session?.hls ?? preview.state?.hls ?? null;
  const sources = session?.sources ?? [];
  const cameraPath = `/camera?session=${encodeURIComponent(sessionId)}`;
  const cameraUrl = `${location.origin}${cameraPath}`;
  const byAudience = session?.viewersByAudience ?? {};
  const audienceLine = AUDIENCES.filter((a) => (byAudience[a] ?? 0) > 0)
    .map((a) => `${t(`tv.audiences.${a}` as Key)} ${byAudience[a]}`)
    .join(' · ');
  const others = Object.entries(byAudience).filter(([a, n]) => n > 0 && !(AUDIENCES as readonly string[]).includes(a));
  const outputs = outputRows(session?.outputs ?? []);

  let previewWords: string | null = null;
  if (!preview.stream) {
    if (preview.phase === 'error' && preview.error) previewWords = t('tv.previewError', { message: preview.error });
    else if (preview.phase === 'noSignal' || (preview.state && !preview.state.live)) previewWords = t('tv.previewNoSignal');
    else previewWords = t('tv.previewConnecting');
  }

  const act = async (what: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await what();
    } catch (err) {
      setActionError((err as Error).message);
    } finally {
      refresh();
    }
  };
  const base = `/api/media/sessions/${encodeURIComponent(sessionId)}`;
  const choose = (s: MediaSourceStatus) => act(() => staffCall(token, 'POST', `${base}/program`, { sourceId: s.id }));
  /** The chair's override (`PUT …/program`): hold one source whatever the floor, or `auto` for the rules. */
  const pin = (source: string) => act(() => staffCall(token, 'PUT', `${base}/program`, { source }));
  const choice = session?.program?.choice ?? 'auto';
  const remove = (s: MediaSourceStatus) => act(() => staffCall(token, 'DELETE', `${base}/sources/${encodeURIComponent(s.id)}`));
  const openEncoder = () =>
    act(async () => {
      const r = await staffCall(token, 'POST', `${base}/rtp-ingest`, { label: t('tv.encoderLabel') });
      setEncoder({ sourceId: String(r.sourceId), ffmpeg: (r.ffmpeg ?? {}) as Record<string, string> });
    });

  return (
    <section className={`panel tv-panel${onAir ? ' is-on-air' : ''}`} aria-labelledby="tv-title" data-testid="tv-panel">
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
          <PreviewVideo snapshot={preview} label={t('tv.preview')} className="tv-video" />
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
      {actionError && (
        <p className="error-text small" role="alert">
          {t('tv.actionError', { message: actionError })}
        </p>
      )}

      <h3 className="tv-subtitle">{t('tv.sources')}</h3>
      {sources.length === 0 ? (
        <p className="small muted" data-testid="tv-ingest">
          {t('tv.ingestNone')}
        </p>
      ) : (
        <ul className="tv-sources" data-testid="tv-sources">
          {sources.map((s, i) => (
            <SourceTile key={s.id} sessionId={sessionId} source={s} index={i} num={num} onChoose={() => void choose(s)} onRemove={() => void remove(s)} />
          ))}
        </ul>
      )}
      {sources.length > 0 && (
        <div className="tv-override">
          <label className="small" htmlFor="tv-override">
            {t('tv.override')}
          </label>
          <select id="tv-override" data-testid="tv-override" value={sources.some((s) => s.id === choice) ? choice : 'auto'} onChange={(e) => void pin(e.target.value)} aria-describedby="tv-override-hint">
            <option value="auto">{t('tv.overrideAuto')}</option>
            {sources.map((s, i) => (
              <option key={s.id} value={s.id}>
                {t('tv.overridePin', { name: sourceName(t, s, i) })}
              </option>
            ))}
          </select>
          <p id="tv-override-hint" className="small muted">
            {t('tv.overrideHint')}
          </p>
        </div>
      )}
      {ingest && (
        <p className="small" data-testid="tv-ingest">
          <span className={`tv-health ${ingest.healthy ? 'is-ok' : 'is-lost'}`}>
            <span aria-hidden="true">{ingest.healthy ? '✔ ' : '⚠ '}</span>
            {ingest.healthy ? t('tv.ingestOk') : t('tv.ingestLost')}
          </span>{' '}
          {t(`tv.ingestKinds.${ingest.kind}` as Key)}
        </p>
      )}
      <div className="row tv-actions">
        <button type="button" className="btn btn-small btn-quiet" onClick={() => void openEncoder()}>
          {t('tv.openEncoder')}
        </button>
      </div>
      {encoder && (
        <details className="tv-details" open>
          <summary className="small">{t('tv.encoderSettings')}</summary>
          <p className="small muted">{t('tv.encoderHint')}</p>
          {Object.entries(encoder.ffmpeg).map(([kind, args]) => (
            <code key={kind} className="tv-url small tv-code">
              {args}
            </code>
          ))}
        </details>
      )}

      <dl className="tv-facts">
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

        <dt>{t('tv.outputs')}</dt>
        <dd data-testid="tv-outputs">
          {outputs.length === 0 ? (
            <span className="muted">{onAir && !closed ? (ingest ? t('tv.outputsStarting') : t('tv.outputsNoSignal')) : t('tv.outputsOffAir')}</span>
          ) : (
            <ul className="tv-outputs">
              {outputs.map((o) => (
                <li key={o.key} className={`tv-output is-${o.tone}`} data-tone={o.tone}>
                  <span aria-hidden="true">{o.tone === 'ok' ? '● ' : o.tone === 'pending' ? '◐ ' : '✖ '}</span>
                  <strong>{t(o.label.key, o.label.vars)}</strong> — {t(o.state)}
                  {o.reason && <span className="tv-output-reason">: {'text' in o.reason ? o.reason.text : t(o.reason.key)}</span>}
                </li>
              ))}
            </ul>
          )}
        </dd>

        <dt>{t('tv.recording')}</dt>
        <dd className="tv-url">{session?.recording ?? <span className="muted">{t('tv.recordingOff')}</span>}</dd>
      </dl>

      <Recordings token={token} sessionId={sessionId} />

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
        <p className="row tv-copy">
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

      <details className="tv-details" data-testid="tv-technical">
        <summary className="small">{t('tv.technical')}</summary>
        <dl className="tv-facts small">
          <dt>{t('tv.backend')}</dt>
          <dd>
            {backend ? t(`tv.backendNote.${backend}` as Key) : '—'}
            {status?.reason && (
              <>
                <br />
                <span className="muted tv-url">{t('tv.backendWhy', { reason: status.reason })}</span>
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
            <span className="muted">{t('tv.hlsNote')}</span>
          </dd>
          {ingest && (
            <>
              <dt>{t('tv.ingest')}</dt>
              <dd>
                {t('tv.ingestDetail', {
                  size: ingest.width && ingest.height ? `${ingest.width}×${ingest.height}` : '—',
                  kbps: num(ingest.videoKbps + (ingest.audioKbps ?? 0)),
                  ago: ingest.lastPacketAgoMs === null ? '—' : num(ingest.lastPacketAgoMs / 1000, 1),
                })}
              </dd>
            </>
          )}
        </dl>
      </details>
    </section>
  );
}

function SourceTile({
  sessionId,
  source,
  index,
  num,
  onChoose,
  onRemove,
}: {
  sessionId: string;
  source: MediaSourceStatus;
  index: number;
  num: (n: number, digits?: number) => string;
  onChoose: () => void;
  onRemove: () => void;
}) {
  const { t } = useT();
  const preview = usePreview(sessionId, source.id);
  const name = sourceName(t, source, index);
  return (
    <li className={`tv-source${source.program ? ' is-program' : ''}`} data-testid="tv-source" data-source={source.id} data-program={source.program ? 'true' : 'false'}>
      {preview.stream ? <PreviewVideo snapshot={preview} label={t('tv.sourcePreview', { name })} className="tv-source-video" /> : <span className="tv-source-video tv-video-empty" aria-hidden="true" />}
      <div className="tv-source-body">
        <strong className="tv-source-name">{name}</strong>
        <span className="small">
          <span className={`tv-health ${source.healthy ? 'is-ok' : 'is-lost'}`}>{source.healthy ? t('tv.ingestOk') : t('tv.ingestLost')}</span>
          {source.width && source.height ? ` · ${source.width}×${source.height}` : ''} · {num(source.videoKbps)} kbit/s
        </span>
        {source.program ? (
          <span className="badge badge-onair tv-source-state">{t('tv.sourceOnAir')}</span>
        ) : source.pending ? (
          <span className="badge tv-source-state" role="status">
            {t('tv.sourceSwitching')}
          </span>
        ) : (
          <span className="row tv-source-actions">
            <button type="button" className="btn btn-small" onClick={onChoose} data-testid="tv-choose">
              {t('tv.sourceChoose')}
            </button>
            {source.kind === 'rtp' && (
              <button type="button" className="btn btn-small btn-quiet" onClick={onRemove}>
                {t('tv.sourceRemove')}
              </button>
            )}
          </span>
        )}
      </div>
    </li>
  );
}

/** A source as people call it: its label, the remote speaker, or "Máy quay n" / "Bộ mã hoá n" by its place. */
function sourceName(t: ReturnType<typeof useT>['t'], source: MediaSourceStatus, index: number): string {
  if (source.label) return source.label;
  if (source.id === REMOTE_SPEAKER_SOURCE) return t('tv.sourceRemote');
  return t(`tv.sourceNames.${source.kind}` as Key, { n: index + 1 });
}

function Recordings({ token, sessionId }: { token: string; sessionId: string }) {
  const { t } = useT();
  const list = useRecordings(token, sessionId);
  if (list.length === 0) return null;
  return (
    <details className="tv-details" data-testid="tv-recordings">
      <summary className="small">{t('tv.archive', { count: list.length })}</summary>
      <ul className="tv-recordings small">
        {list.map((r: ArchivedRecording) => (
          <li key={r.id}>
            <strong>{r.title}</strong> {formatTime(r.startedAt)}
            {!r.public && <span className="muted"> · {t('tv.archiveStaffOnly')}</span>}
            <ul>
              {r.parts.map((p, i) => (
                <li key={p.file}>
                  <a href={p.url} target="_blank" rel="noopener noreferrer">
                    {t('tv.archivePart', { n: i + 1, minutes: Math.max(1, Math.round(p.durationSec / 60)) })}
                  </a>
                </li>
              ))}
            </ul>
            <ol className="tv-chapters">
              {r.chapters.map((c, i) => (
                <li key={i}>
                  <a href={`${r.parts[c.part]?.url ?? ''}#t=${c.partOffsetSec}`} target="_blank" rel="noopener noreferrer">
                    {c.title}
                  </a>
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
    </details>
  );
}
