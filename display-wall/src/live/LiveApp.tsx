/**
 * Public mode (/live/): anonymous and read-only. The socket connects without a token and gets the public view;
 * the session comes from `?session=<id>` or from the picker (every session is listed).
 */
import type { SessionView } from '@hall/core';
import { HallClient } from '@hall/client-kit';
import { ConnectionBanner, HallProvider, LanguageSwitch, ResultPanel, useView } from '@hall/client-kit/react';
import { useEffect, useMemo, useState } from 'react';
import { overlayDelayFromUrl, sessionFromUrl, setSessionInUrl } from '../mode.ts';
import { currentItem } from '../shared/format.ts';
import type { AppI18n } from '../shared/i18n.ts';
import { useStrings } from '../shared/i18n.ts';
import { SessionPicker } from '../shared/SessionPicker.tsx';
import { useJoin } from '../shared/useJoin.ts';
import { BroadcastPlayer } from './BroadcastPlayer.tsx';
import { LiveOverlay } from './LiveOverlay.tsx';

export function LiveApp({ i18n }: { i18n: AppI18n }) {
  const [sessionId, setSessionId] = useState<string | null>(() => sessionFromUrl());
  const client = useMemo(() => new HallClient({ token: null }), []);
  useEffect(() => {
    client.connect();
    return () => client.close();
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
          <LiveSession sessionId={sessionId} delayMs={overlayDelayFromUrl()} />
        )}
      </div>
    </HallProvider>
  );
}

function LiveSession({ sessionId, delayMs }: { sessionId: string; delayMs: number }) {
  const { w } = useStrings();
  const view = useView();
  if (!view || view.sessionId !== sessionId) {
    return (
      <main className="live-main">
        <p role="status">{w('loading')}</p>
      </main>
    );
  }
  return <LivePage view={view} delayMs={delayMs} />;
}

export function LivePage({ view, delayMs = 0 }: { view: SessionView; delayMs?: number }) {
  const { t, w } = useStrings();
  useEffect(() => {
    document.title = `${view.title} — ${w('liveHeading')}`;
  }, [view.title, w]);
  return (
    <>
      <header className="live-head">
        <div className="live-head__ids">
          <p className="live-head__council">{view.council.name}</p>
          <h1 className="live-head__title">{view.title}</h1>
          {!view.closedSitting && (
            <p className="live-head__sitting">
              {view.sitting.title} · {t(`phases.${view.phase}`)}
            </p>
          )}
        </div>
        <LanguageSwitch className="live-head__lang" />
      </header>
      <main className="live-main">
        {view.closedSitting ? (
          // A closed sitting shows the public that it is closed — no video, no agenda, no results.
          <p className="live-closed" role="status">
            {w('closedNoBroadcast')}
          </p>
        ) : (
          <>
            <div className="live-stage">
              <BroadcastPlayer onAir={view.broadcast.onAir} sessionId={view.sessionId} />
              <LiveOverlay view={view} delayMs={delayMs} />
            </div>
            <div className="live-below">
              <Agenda view={view} />
              <Results view={view} />
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

/** Announced results, newest first (the public view carries results only after the announcement). */
function Results({ view }: { view: SessionView }) {
  const { w } = useStrings();
  const announced = view.polls.filter((p) => p.status === 'announced' && p.result).reverse();
  return (
    <section className="live-card" aria-labelledby="results-h">
      <h2 id="results-h">{w('results')}</h2>
      {announced.length === 0 ? (
        <p>{w('noResults')}</p>
      ) : (
        <div className="live-results">
          {announced.map((p) => (
            // Focusable so a keyboard user can scroll a wide table sideways on a phone.
            <div className="live-results__one" key={p.pollId} tabIndex={0} role="group" aria-label={p.subject}>
              <ResultPanel poll={p} headingLevel={3} />
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
