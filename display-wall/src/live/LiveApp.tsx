/**
 * Public mode (/live/): anonymous and read-only. The socket connects without a token and gets the public view;
 * the session comes from `?session=<id>` or from the picker (every session is listed).
 *
 * Spoiler-safe: the player reports how late its picture is, and everything drawn from the view except the closed
 * sitting (overlays, the sitting line, the agenda's current item, announced results) is shown that much later, so
 * nothing appears before the video shows it; while the picture is frozen the delay grows with it, so the page stays
 * with the last frame shown, and the overlays on the video hide behind the "Mất tín hiệu" slate. A closed sitting
 * blanks the page at once.
 */
import type { SessionView } from '@hall/core';
import { formatHallTime, HallClient, officialFirst } from '@hall/client-kit';
import { ConnectionBanner, HallProvider, LanguageSwitch, ResultPanel, useView } from '@hall/client-kit/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { forceHlsFromUrl, overlayDelayFromUrl, sessionFromUrl, setSessionInUrl } from '../mode.ts';
import { currentItem, formatIsoDate } from '../shared/format.ts';
import type { AppI18n } from '../shared/i18n.ts';
import { useStrings } from '../shared/i18n.ts';
import { SessionPicker } from '../shared/SessionPicker.tsx';
import { useJoin } from '../shared/useJoin.ts';
import { BroadcastPlayer, debugHook } from './BroadcastPlayer.tsx';
import { useDelayed } from './delayedView.ts';
import { LiveOverlay } from './LiveOverlay.tsx';

export function LiveApp({ i18n }: { i18n: AppI18n }) {
  const [sessionId, setSessionId] = useState<string | null>(() => sessionFromUrl());
  const client = useMemo(() => new HallClient({ token: null }), []);
  useEffect(() => {
    client.connect();
    return () => client.close();
  }, [client]);
  useEffect(() => {
    // When each view arrived (for `window.hallLive`: operators checking the delay, and the end-to-end test).
    const hook = debugHook();
    const arrivals: { seq: number; at: number }[] = [];
    hook.arrivals = arrivals;
    return client.subscribe((v) => {
      if (!v) return;
      arrivals.push({ seq: v.seq, at: Date.now() });
      if (arrivals.length > 200) arrivals.splice(0, arrivals.length - 200);
    });
  }, [client]);
  const { error } = useJoin(client, sessionId);
  const { w } = useStrings();

  const pick = (id: string) => {
    setSessionInUrl(id);
    setSessionId(id);
  };

  return (
    <HallProvider client={client} i18n={i18n}>
      <div className="live">
        <ConnectionBanner className="live-banner" showConnecting={false} />
        {!sessionId || error ? (
          <main className="live-main">
            <div className="live-lang">
              <LanguageSwitch />
            </div>
            <SessionPicker token={null} onlyMine={false} onPick={pick} error={error ? w('sessionNotFound', { message: error.message }) : null} />
          </main>
        ) : (
          <LiveSession sessionId={sessionId} manualDelayMs={overlayDelayFromUrl()} forceHls={forceHlsFromUrl()} />
        )}
      </div>
    </HallProvider>
  );
}

function LiveSession({ sessionId, manualDelayMs, forceHls }: { sessionId: string; manualDelayMs: number; forceHls: boolean }) {
  const { w } = useStrings();
  const view = useView();
  const [latency, setLatency] = useState(0);
  const [signalLost, setSignalLost] = useState(false);
  const onLatency = useCallback((ms: number) => setLatency(ms), []);
  const onSignalLost = useCallback((lost: boolean) => setSignalLost(lost), []);
  // `?overlayDelay=` is a floor (a CDN in front adds time the player cannot see).
  const delayMs = Math.max(manualDelayMs, latency);
  useEffect(() => {
    debugHook().delayMs = delayMs;
  }, [delayMs]);
  if (!view || view.sessionId !== sessionId) {
    return (
      <main className="live-main">
        <p role="status">{w('loading')}</p>
      </main>
    );
  }
  return <LivePage view={view} delayMs={delayMs} onLatency={onLatency} onSignalLost={onSignalLost} signalLost={signalLost} forceHls={forceHls} />;
}

export interface LivePageProps {
  view: SessionView;
  /** How late the picture is: what the page shows from the view waits this long (ms). */
  delayMs?: number;
  onLatency?: (ms: number) => void;
  onSignalLost?: (lost: boolean) => void;
  /** The player lost the picture: no overlays over its slate. */
  signalLost?: boolean;
  forceHls?: boolean;
}

export function LivePage({ view: latest, delayMs = 0, onLatency, onSignalLost, signalLost = false, forceHls = false }: LivePageProps) {
  const { t, w, lang } = useStrings();
  // The closed sitting comes from the latest view (privacy first); the rest waits for the picture.
  const view = useDelayed(latest, delayMs) ?? latest;
  useEffect(() => {
    document.title = `${view.title} — ${w('liveHeading')}`;
  }, [view.title, w]);
  return (
    <>
      <header className="live-head">
        <div className="live-head__ids">
          <p className="live-head__council">{view.council.name}</p>
          <h1 className="live-head__title">{view.title}</h1>
          {!latest.closedSitting && (
            <p className="live-head__sitting">
              {view.sitting.title} · {t(`phases.${view.phase}`)}
              {view.phase === 'recess' && view.recess?.resumeAt != null && <> · {t('recess.resumesAt', { time: formatHallTime(view.recess.resumeAt, lang) })}</>}
            </p>
          )}
        </div>
        <LanguageSwitch className="live-head__lang" />
      </header>
      <main className="live-main">
        {latest.closedSitting ? (
          // A closed sitting shows the public that it is closed — no video, no agenda, no results.
          <p className="live-closed" role="status">
            {w('closedNoBroadcast')}
          </p>
        ) : (
          <>
            {/* Off air the player shrinks to a strip, so the overlays and the results stay on the first screen. */}
            <div className={`live-stage${latest.broadcast.onAir ? '' : ' live-stage--off'}`}>
              <BroadcastPlayer
                onAir={latest.broadcast.onAir}
                sessionId={latest.sessionId}
                closed={latest.closedSitting}
                onLatency={onLatency}
                onSignalLost={onSignalLost}
                forceHls={forceHls}
              />
              {/* Mounted throughout (its delay buffer must not restart), hidden while the signal is lost. */}
              <div hidden={signalLost}>
                <LiveOverlay view={latest} delayMs={delayMs} />
              </div>
            </div>
            <div className="live-below">
              <div className="live-below__main">
                <Results view={view} />
                <Pledges view={view} />
              </div>
              <Agenda view={view} />
            </div>
          </>
        )}
      </main>
    </>
  );
}

function Agenda({ view }: { view: SessionView }) {
  const { w } = useStrings();
  // Before the opening and after the close no item is "happening now", even though the view names a current one.
  const cur = view.phase === 'inProgress' || view.phase === 'recess' ? currentItem(view) : null;
  return (
    <section className="live-card" aria-labelledby="agenda-h">
      <h2 id="agenda-h">{w('agenda')}</h2>
      <ol className="live-agenda">
        {view.agenda.map((a) => {
          const isCurrent = cur?.item.id === a.id;
          return (
            <li key={a.id} className={isCurrent ? 'live-agenda__item live-agenda__item--current' : 'live-agenda__item'} aria-current={isCurrent ? 'step' : undefined}>
              <span>{a.title}</span>
              {isCurrent && <span className="live-badge">{w('current')}</span>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/**
 * Announced results, newest first, each official round before the rounds it replaced (the public view carries results
 * only after the announcement).
 */
function Results({ view }: { view: SessionView }) {
  const { w } = useStrings();
  const announced = officialFirst(view.polls);
  return (
    <section className="live-card" aria-labelledby="results-h">
      <h2 id="results-h">{w('results')}</h2>
      {announced.length === 0 ? (
        <p>{w('noResults')}</p>
      ) : (
        <div className="live-results">
          {announced.map((p) => (
            <div className="live-results__one" key={p.pollId}>
              <ResultPanel poll={p} polls={view.polls} headingLevel={3} />
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

/** Commitments respondents made in this session's questioning, newest first: part of the public record. */
function Pledges({ view }: { view: SessionView }) {
  const { w } = useStrings();
  if (view.pledges.length === 0) return null;
  return (
    <section className="live-card" aria-labelledby="pledges-h">
      <h2 id="pledges-h">{w('pledgesTitle')}</h2>
      <ol className="live-pledges">
        {[...view.pledges].reverse().map((c) => (
          <li key={c.commitmentId} className="live-pledges__one">
            <p className="live-pledges__who">
              {c.respondent} <span className="live-pledges__post">{c.post}</span>
            </p>
            <p className="live-pledges__what">{c.content}</p>
            {c.deadline && <p className="live-pledges__due">{w('pledgeDeadline', { date: formatIsoDate(c.deadline) })}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}
