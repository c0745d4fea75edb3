/**
 * The chair's desk. Three columns on a laptop (≥1280 px): the agenda and attendance on the left, the work areas in
 * tabs in the centre, and what the hall is looking at on the right (the speaker, the vote). The same component is
 * the secretary's desk: the role decides which controls exist, the machine decides which are enabled.
 */
import { ConnectionBanner, useView } from '@hall/client-kit/react';
import { lazy, Suspense, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { Auth } from '../auth-store.ts';
import { useT, type Key } from '../i18n.ts';
import { AgendaPanel } from './AgendaPanel.tsx';
import { AttendanceBoard } from './attendance/AttendanceBoard.tsx';
import { AttendanceSummary } from './attendance/AttendanceSummary.tsx';
import { BroadcastPanel } from './broadcast/BroadcastPanel.tsx';
import { FloorTab } from './floor/FloorTab.tsx';
import { SpeakerPanel } from './floor/SpeakerPanel.tsx';
import { Header } from './Header.tsx';
import { HelpDialog } from './HelpDialog.tsx';
import { PhaseBanner } from './PhaseBanner.tsx';
import { PollDialog } from './polls/PollDialog.tsx';
import { PollStatus } from './polls/PollStatus.tsx';
import { PollsTab } from './polls/PollsTab.tsx';
import { CommitmentDialog } from './questioning/CommitmentDialog.tsx';
import { QuestioningTab } from './questioning/QuestioningTab.tsx';
import { Toolbar } from './Toolbar.tsx';
import { useAction, useRoleMay } from './ui/command.tsx';
import { useShortcut } from './ui/shortcuts.tsx';

// The records area brings Chart.js: loaded the first time the tab opens, not with the desk.
const RecordsTab = lazy(() => import('./records/RecordsTab.tsx').then((m) => ({ default: m.RecordsTab })));

export type Tab = 'floor' | 'questioning' | 'polls' | 'attendance' | 'records';
const TABS: Tab[] = ['floor', 'questioning', 'polls', 'attendance', 'records'];

export interface ConsoleProps {
  auth: Auth;
  onSwitch: () => void;
  onLogout: () => void;
}

export function Console({ auth, onSwitch, onLogout }: ConsoleProps) {
  const view = useView();
  const { t } = useT();
  const role = auth.claims.role;
  // The secretary's first job is the roll; the chair's is the floor.
  const [tab, setTab] = useState<Tab>(role === 'secretary' ? 'attendance' : 'floor');
  const [help, setHelp] = useState(false);
  const [pollDialog, setPollDialog] = useState(false);
  const [commitment, setCommitment] = useState(false);
  const [grantLimit, setGrantLimit] = useState<number | null>(null);
  const mayOpenPoll = useRoleMay('poll.open');
  const mayRecord = useRoleMay('commitment.record');
  const searchRef = useRef<HTMLInputElement>(null);
  const tabsId = useId();

  // `g`: the first request in the queue, with the limit chosen above the queue.
  const first = view?.queue[0] ?? null;
  const grant = useAction(
    'floor.grant',
    { requestId: first?.requestId ?? 'none', speechId: 'speech-check', ...(grantLimit ? { limitSec: grantLimit } : {}) },
    ['speechId'],
  );

  TABS.forEach((name, i) => useShortcut(String(i + 1), () => setTab(name)));
  useShortcut('?', () => setHelp((h) => !h));
  useShortcut('g', () => grant.run(), grant.visible);
  useShortcut(
    'o',
    () => {
      setTab('polls');
      setPollDialog(true);
    },
    mayOpenPoll,
  );
  useShortcut('c', () => setCommitment(true), mayRecord);
  useShortcut(
    '/',
    () => {
      setTab('attendance');
      // The board mounts with the tab; focus once it is there.
      setTimeout(() => searchRef.current?.focus(), 0);
    },
  );

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.indexOf(tab);
    let next: number | null = null;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i + TABS.length - 1) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next === null) return;
    e.preventDefault();
    setTab(TABS[next]!);
    document.getElementById(`${tabsId}-tab-${TABS[next]}`)?.focus();
  };

  if (!view) {
    return (
      <div className="console">
        <Header auth={auth} onSwitch={onSwitch} onLogout={onLogout} onHelp={() => setHelp(true)} />
        <ConnectionBanner onLogin={onLogout} />
        <main className="screen-center">
          <p aria-busy="true">{t('app.loading')}</p>
        </main>
      </div>
    );
  }

  const tabLabel = (name: Tab) => t(`tabs.${name}` as Key);
  return (
    <div className="console">
      <a href="#centre" className="skip-link">
        {tabLabel(tab)}
      </a>
      <Header auth={auth} onSwitch={onSwitch} onLogout={onLogout} onHelp={() => setHelp(true)} />
      <ConnectionBanner onLogin={onLogout} />
      {role === 'admin' && <p className="banner banner-info">{t('app.readOnly')}</p>}
      <Toolbar />
      <PhaseBanner />
      <div className="desk">
        <aside className="col col-left" aria-label={`${t('attendance.summary')} · ${t('agenda.title')}`}>
          <AttendanceSummary onOpenBoard={() => setTab('attendance')} />
          <AgendaPanel token={auth.token} />
        </aside>
        <main className="col col-centre" id="centre" tabIndex={-1}>
          <div role="tablist" aria-label={t('tabs.label')} className="tabs" onKeyDown={onTabKey}>
            {TABS.map((name, i) => (
              <button
                key={name}
                type="button"
                role="tab"
                id={`${tabsId}-tab-${name}`}
                aria-selected={tab === name}
                aria-controls={`${tabsId}-panel`}
                tabIndex={tab === name ? 0 : -1}
                className="tab"
                onClick={() => setTab(name)}
                aria-keyshortcuts={String(i + 1)}
              >
                <kbd className="tab-key" aria-hidden="true">
                  {i + 1}
                </kbd>{' '}
                {tabLabel(name)}
                <TabCount name={name} />
              </button>
            ))}
          </div>
          <section role="tabpanel" id={`${tabsId}-panel`} aria-labelledby={`${tabsId}-tab-${tab}`} className="tabpanel">
            {tab === 'floor' && <FloorTab grantLimit={grantLimit} onGrantLimit={setGrantLimit} />}
            {tab === 'questioning' && <QuestioningTab onCommitment={() => setCommitment(true)} />}
            {tab === 'polls' && <PollsTab onCreate={() => setPollDialog(true)} />}
            {tab === 'attendance' && <AttendanceBoard searchRef={searchRef} />}
            {tab === 'records' && (
              <Suspense fallback={<p aria-busy="true">{t('records.loading')}</p>}>
                <RecordsTab auth={auth} />
              </Suspense>
            )}
          </section>
        </main>
        <aside className="col col-right" aria-label={t('speaker.title')}>
          <SpeakerPanel />
          <PollStatus onOpenTab={() => setTab('polls')} />
          <BroadcastPanel token={auth.token} />
        </aside>
      </div>
      <HelpDialog open={help} onClose={() => setHelp(false)} />
      {pollDialog && <PollDialog onClose={() => setPollDialog(false)} />}
      {commitment && <CommitmentDialog onClose={() => setCommitment(false)} />}
    </div>
  );
}

/** A small count beside a tab name so the chair sees waiting work in the other areas. */
function TabCount({ name }: { name: Tab }) {
  const view = useView();
  if (!view) return null;
  let n = 0;
  if (name === 'floor') n = view.queue.length;
  else if (name === 'questioning') n = view.questioning?.queue.length ?? 0;
  else if (name === 'polls') n = view.poll?.status === 'open' ? 1 : 0;
  // Before the sitting opens the roll is the work; afterwards an unchecked delegate is usually just absent.
  else n = view.phase === 'checkIn' ? (view.attendance?.unknown ?? 0) : 0;
  if (!n) return null;
  return <span className="tab-count">{n}</span>;
}

