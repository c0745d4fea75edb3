/**
 * Hybrid sittings, for a delegate attending remotely (checked in as “trực tuyến”, which the council's rules profile
 * must allow): the hall's picture and sound, and — while the chair gives this delegate the floor — their own camera
 * and microphone sent to the hall (media role `speaker`). The server then puts them on the program: the hall wall,
 * the public page and the recording show them, and switches back when the floor moves on. While speaking, their hall
 * picture follows the hall's own camera (never themselves); the browser's echo cancellation keeps the hall's sound,
 * played here, out of their microphone.
 *
 * `window.hallRemote` (tests, support staff): `{ viewing, publishing, error }`.
 */
import { isHallError, mediaFailureOf } from '@hall/client-kit';
import { useHall, useView } from '@hall/client-kit/react';
import { MediaClient, type Publication, type SocketLike, type Viewing } from '@hall/media/client';
import { useEffect, useRef, useState } from 'react';
import { hasFloor } from '../floor/FloorPanel.tsx';
import { useT } from '../i18n.ts';

type SendState = 'idle' | 'starting' | 'sending' | 'failed';

const hook = (): Record<string, unknown> => ((window as unknown as { hallRemote?: Record<string, unknown> }).hallRemote ??= {});

/** One MediaClient per socket connection (a reconnect is a new socket: the server dropped our peers with it). */
function useMediaClient(sessionId: string | null): MediaClient | null {
  const hall = useHall();
  const [socket, setSocket] = useState<SocketLike | null>(() => (hall.connection === 'connected' ? (hall.rawSocket as SocketLike | null) : null));
  useEffect(() => hall.onConnection((s) => setSocket(s === 'connected' ? (hall.rawSocket as SocketLike | null) : null)), [hall]);
  const [client, setClient] = useState<MediaClient | null>(null);
  useEffect(() => {
    setClient(socket && sessionId ? new MediaClient(socket, sessionId) : null);
  }, [socket, sessionId]);
  return client;
}

export function RemoteStage() {
  const { t } = useT();
  const view = useView();
  const remote = view?.me?.attendance === 'remote';
  const speaking = remote && hasFloor(view);
  const media = useMediaClient(remote ? (view?.sessionId ?? null) : null);
  const hallVideo = useRef<HTMLVideoElement>(null);
  const selfVideo = useRef<HTMLVideoElement>(null);
  const [watching, setWatching] = useState<'waiting' | 'playing' | 'off'>('waiting');
  const [needsSound, setNeedsSound] = useState(false);
  const [send, setSend] = useState<SendState>('idle');
  const [sendError, setSendError] = useState<string | null>(null);
  const [live, setLive] = useState(false);

  // The hall's feed. Viewed again when this delegate starts or stops speaking: the server makes a speaker's viewer
  // follow the hall's own camera, everyone else's the program.
  useEffect(() => {
    if (!media) return;
    let viewing: Viewing | null = null;
    let cancelled = false;
    const offState = media.onState((s) => setLive(s.live));
    void (async () => {
      try {
        const info = await media.getInfo();
        setLive(info.live);
        viewing = await media.view();
        if (cancelled) return void viewing.close();
        const v = hallVideo.current;
        if (v) {
          v.srcObject = viewing.stream;
          await v.play().catch(() => {
            // No sound without a gesture on this tablet yet: play muted and offer the button.
            v.muted = true;
            setNeedsSound(true);
            return v.play();
          });
        }
        setWatching('playing');
        hook().viewing = true;
      } catch {
        if (!cancelled) setWatching('off');
      }
    })();
    return () => {
      cancelled = true;
      offState();
      hook().viewing = false;
      if (hallVideo.current) hallVideo.current.srcObject = null;
      void viewing?.close();
      setWatching('waiting');
    };
  }, [media, speaking]);

  // This delegate's camera and microphone, while the floor is theirs.
  useEffect(() => {
    if (!media || !speaking) return;
    let publication: Publication | null = null;
    let stream: MediaStream | null = null;
    let cancelled = false;
    setSend('starting');
    setSendError(null);
    const offEnded = media.onEnded((e) => {
      if (e.role === 'speaker' && !cancelled) setSend('idle');
    });
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: { echoCancellation: true, noiseSuppression: true } });
        if (cancelled) return;
        if (selfVideo.current) selfVideo.current.srcObject = stream;
        publication = await media.publish(stream, { role: 'speaker' });
        if (cancelled) return void publication.close();
        setSend('sending');
        hook().publishing = true;
      } catch (err) {
        if (cancelled) return;
        setSend('failed');
        // The browser's own words are English and technical; the delegate reads what happened and what to do.
        setSendError(isHallError(err) ? err.message : t(`remote.why.${mediaFailureOf(err)}`));
        hook().error = (err as Error).message;
      }
    })();
    return () => {
      cancelled = true;
      offEnded();
      hook().publishing = false;
      void publication?.close();
      for (const track of stream?.getTracks() ?? []) track.stop();
      if (selfVideo.current) selfVideo.current.srcObject = null;
      setSend('idle');
    };
  }, [media, speaking]);

  if (!remote) return null;
  return (
    <section className="card remote" aria-labelledby="remote-title">
      <h2 id="remote-title" className="card__title">
        {t('remote.title')}
      </h2>
      <div className="remote__hall">
        <video ref={hallVideo} className="remote__video" playsInline autoPlay aria-label={t('remote.hallVideo')} />
        {watching !== 'playing' || !live ? (
          <p className="remote__note" role="status">
            {watching === 'off' ? t('remote.noHall') : t('remote.waitingHall')}
          </p>
        ) : null}
        {needsSound ? (
          <button
            type="button"
            className="btn btn--secondary remote__sound"
            onClick={() => {
              const v = hallVideo.current;
              if (!v) return;
              v.muted = false;
              void v.play();
              setNeedsSound(false);
            }}
          >
            {t('remote.sound')}
          </button>
        ) : null}
      </div>
      {speaking ? (
        <div className="remote__self">
          <video ref={selfVideo} className="remote__video remote__video--self" playsInline autoPlay muted aria-label={t('remote.selfVideo')} />
          <p className={`remote__send remote__send--${send}`} role="status">
            {send === 'sending' ? t('remote.sending') : send === 'failed' ? t('remote.failed', { message: sendError ?? '' }) : t('remote.starting')}
          </p>
        </div>
      ) : (
        <p className="remote__hint">{t('remote.hint')}</p>
      )}
    </section>
  );
}
