/**
 * The session screen. Top: who and where (council, session, sitting, phase), the connection banner and the language
 * switch. Then, by priority: an open poll takes over everything; otherwise four tabs — the sitting (roll call, current
 * item, speaking), documents, questions, results. The delegate's own turn to speak is a banner pinned above the tabs
 * (or the ballot), whichever tab is open.
 */
import type { Phase } from '@hall/core';
import { formatHallTime } from '@hall/client-kit';
import { ConnectionBanner, LanguageSwitch, useView } from '@hall/client-kit/react';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { AgendaDocuments, CurrentItem } from '../agenda/CurrentItem.tsx';
import { CheckInCard } from '../attendance/CheckIn.tsx';
import { DevicesDialog, SignedInElsewhere } from '../devices/Devices.tsx';
import { useAuth } from '../auth/auth-context.ts';
import { FloorAnnouncer, FloorPanel, hasFloor, SpeakingBanner } from '../floor/FloorPanel.tsx';
import { useT } from '../i18n.ts';
import { QuestionsPanel } from '../questions/QuestionsPanel.tsx';
import { LatestPoll, ResultsTab } from '../results/Results.tsx';
import { IconLock } from '../ui/icons.tsx';
import { VoteScreen } from '../voting/VoteScreen.tsx';
import { RemoteStage } from '../remote/RemoteStage.tsx';

const TABS = ['home', 'documents', 'questions', 'results'] as const;
type Tab = (typeof TABS)[number];

export function Home({ onChangeSession, onLogoutClick }: { onChangeSession: () => void; onLogoutClick: () => void }) {
  const { t, tc } = useT();
  const view = useView();
  const { logout } = useAuth();
  const [tab, setTab] = useState<Tab>('home');
  const [devicesOpen, setDevicesOpen] = useState(false);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const baseId = useId();
  const voting = view?.poll?.status === 'open';
  const votingPollId = voting ? view.poll!.pollId : null;
  // A poll that opens takes over the screen from the top, wherever the delegate had scrolled to.
  useEffect(() => {
    if (votingPollId) globalThis.scrollTo?.({ top: 0 });
  }, [votingPollId]);
  if (!view) return null;

  const poll = view.poll;
  const speaking = hasFloor(view);

  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next]!);
    tabRefs.current[next]?.focus();
  };

  return (
    <div className={`page page--session phase-${view.phase}${voting ? ' page--voting' : ''}`}>
      <header className="topbar">
        <div className="topbar__where">
          <p className="topbar__council">{view.council.name}</p>
          <h1 className="topbar__session">{view.title}</h1>
          <p className="topbar__sitting">{t('header.sitting', { number: view.sitting.number, title: view.sitting.title })}</p>
        </div>
        <div className="topbar__side">
          <p className="topbar__name">
            {t('header.delegate')} <strong>{view.me?.name}</strong>
          </p>
          <div className="topbar__actions">
            <LanguageSwitch className="lang" />
            <button type="button" className="btn btn--secondary" onClick={onChangeSession}>
              {t('sessions.change')}
            </button>
            <button type="button" className="btn btn--secondary" onClick={() => setDevicesOpen(true)}>
              {t('devices.open')}
            </button>
            <button type="button" className="btn btn--secondary" onClick={onLogoutClick}>
              {t('logout')}
            </button>
          </div>
        </div>
      </header>

      <ConnectionBanner className="conn" onLogin={() => logout('expired')} />
      <RecessBanner />
      <SignedInElsewhere onShowDevices={() => setDevicesOpen(true)} />
      <DevicesDialog open={devicesOpen} onClose={() => setDevicesOpen(false)} />
      <FloorAnnouncer />

      {/* While voting the phase is obvious and the room is needed for the ballot; a closed sitting still shows. */}
      <div className="statusbar" hidden={voting && !view.closedSitting}>
        <p className={`phase phase--${view.phase}`}>
          <span className="phase__dot" aria-hidden="true" />
          <span>{tc(`phases.${view.phase}`)}</span>
        </p>
        {view.closedSitting ? (
          <p className="closed-sitting">
            <IconLock size={24} />
            <span>{t('closedSitting')}</span>
          </p>
        ) : null}
      </div>

      {/* Outside the tabs and the ballot: a remote speaker's camera must not stop when they change tabs or vote. */}
      <RemoteStage />

      {voting && poll ? (
        <main className="page__main page__main--vote">
          {speaking ? <SpeakingBanner placement="vote" /> : null}
          <VoteScreen poll={poll} />
        </main>
      ) : (
        <>
          {/* One sticky block: the banner can never slide under the tab bar. */}
          <div className="sticky-top">
            <SpeakingBanner />
            <div role="tablist" aria-label={t('nav.label')} className="tabs" onKeyDown={onTabKey}>
              {TABS.map((id, i) => (
                <button
                  key={id}
                  ref={(el) => {
                    tabRefs.current[i] = el;
                  }}
                  type="button"
                  role="tab"
                  id={`${baseId}-tab-${id}`}
                  aria-controls={`${baseId}-panel`}
                  aria-selected={tab === id}
                  tabIndex={tab === id ? 0 : -1}
                  className={`tab${tab === id ? ' tab--current' : ''}`}
                  onClick={() => setTab(id)}
                >
                  {t(`nav.${id}`)}
                  {id === 'questions' && view.questioning?.activeGroup ? <span className="tab__dot" aria-hidden="true" /> : null}
                </button>
              ))}
            </div>
          </div>
          <main id={`${baseId}-panel`} role="tabpanel" aria-labelledby={`${baseId}-tab-${tab}`} className="page__main" tabIndex={-1}>
            {tab === 'home' ? <SittingTab phase={view.phase} /> : null}
            {tab === 'documents' ? <AgendaDocuments /> : null}
            {tab === 'questions' ? <QuestionsPanel /> : null}
            {tab === 'results' ? <ResultsTab /> : null}
          </main>
        </>
      )}
    </div>
  );
}

/** During a recess, on every tab: when the chair said the sitting resumes. */
function RecessBanner() {
  const { tc, lang } = useT();
  const view = useView();
  const at = view?.phase === 'recess' ? (view.recess?.resumeAt ?? null) : null;
  if (at === null) return null;
  return (
    <p className="banner banner--recess-time" role="status">
      <strong>{tc('recess.title')}</strong> — {tc('recess.resumesAt', { time: formatHallTime(at, lang) })}
    </p>
  );
}

function SittingTab({ phase }: { phase: Phase }) {
  const { t } = useT();
  const view = useView();
  const live = phase === 'inProgress' || phase === 'recess';
  const checkedIn = view?.me?.attendance === 'present' || view?.me?.attendance === 'remote';
  // During the roll call, or for a delegate not yet in, the check-in comes before everything else.
  const checkInFirst = phase === 'checkIn' || (live && !checkedIn);
  return (
    <>
      <p className={`banner banner--phase banner--${phase}`} role="status">
        {t(`phaseNote.${phase}`)}
      </p>
      {checkInFirst ? <CheckInCard /> : null}
      <LatestPoll />
      {/* Landscape: the item and its papers on the left, speaking on the right. Portrait: speaking first. */}
      <div className="columns">
        <div className="columns__main">
          <CurrentItem />
        </div>
        <div className="columns__side">
          {live ? <FloorPanel /> : null}
          {!checkInFirst && phase !== 'adjourned' ? <CheckInCard /> : null}
        </div>
      </div>
    </>
  );
}
