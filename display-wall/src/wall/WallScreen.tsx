/**
 * The hall wall: one 16:9 screen that is read from 20 m and never touched. What it shows is decided from the view
 * alone, in this order: closed sitting → phase screens → in progress (poll, questioning, speaker, result, idle).
 */
import type { PollView, SessionView } from '@hall/core';
import type { ReactNode } from 'react';
import { useStrings } from '../shared/i18n.ts';
import { AttendanceLine, RollProgress } from './Attendance.tsx';
import { PollCounted, PollInProgress } from './PollPanel.tsx';
import { QuestioningPanel } from './QuestioningPanel.tsx';
import { ResultBoard } from './ResultBoard.tsx';
import { NextSpeakers, SpeakerPanel } from './SpeakerPanel.tsx';
import { TopBand, WallClock } from './TopBand.tsx';
import { currentItem, formatTime, latestGroupPledge } from '../shared/format.ts';

export function WallScreen({ view }: { view: SessionView }) {
  // Họp kín: the title and the words, nothing else — not the clock of the item, not attendance, not the agenda.
  if (view.closedSitting) return <ClosedScreen view={view} />;
  switch (view.phase) {
    case 'scheduled':
      return <Ceremony view={view} word={null} />;
    case 'checkIn':
      return <Ceremony view={view} word="checkIn" />;
    case 'recess':
      return <Ceremony view={view} word="recess" />;
    case 'adjourned':
      return <Ceremony view={view} word="adjourned" />;
    case 'inProgress':
      return <InProgress view={view} />;
  }
}

function ClosedScreen({ view }: { view: SessionView }) {
  const { w } = useStrings();
  return (
    <main className="wall wall--closed">
      <p className="wall-ceremony__title">{view.title}</p>
      <h1 className="wall-ceremony__word">{w('closedSitting')}</h1>
    </main>
  );
}

/** Calm full screens between the working parts of a session: not started, roll call, recess, adjourned. */
function Ceremony({ view, word }: { view: SessionView; word: 'checkIn' | 'recess' | 'adjourned' | null }) {
  const { t, w, lang } = useStrings();
  const cur = currentItem(view);
  const resumeAt = word === 'recess' ? (view.recess?.resumeAt ?? null) : null;
  return (
    <main className={`wall wall--ceremony wall--${word ?? 'scheduled'}`}>
      <p className="wall-ceremony__council">{view.council.name}</p>
      <p className="wall-ceremony__title">{view.title}</p>
      {word !== 'adjourned' && <p className="wall-ceremony__sitting">{view.sitting.title}</p>}
      <h1 className="wall-ceremony__word">{word ? w(word) : w('scheduled')}</h1>
      {word === 'checkIn' && <p className="wall-ceremony__note">{w('checkInNote')}</p>}
      {word === 'recess' &&
        (resumeAt !== null ? (
          <p className="wall-ceremony__resume" aria-label={t('recess.resumesAt', { time: formatTime(resumeAt, lang) })}>
            {w('resumesAt', { time: formatTime(resumeAt, lang) })}
          </p>
        ) : (
          <p className="wall-ceremony__note">{w('recessNote')}</p>
        ))}
      {word === 'adjourned' && <p className="wall-ceremony__note">{w('adjournedNote')}</p>}
      {word === 'checkIn' && view.attendance && <RollProgress attendance={view.attendance} />}
      {word === null && cur && (
        <p className="wall-ceremony__note">
          {w('itemNumber', { n: cur.number })}: {cur.item.title}
        </p>
      )}
      <WallClock withDate />
    </main>
  );
}

/** The latest announced result belongs on the wall while the hall is still on that item and nobody has the floor. */
function announcedForNow(view: SessionView): PollView | null {
  const p = view.poll;
  if (!p || p.status !== 'announced' || !p.result) return null;
  if (p.itemId !== null && p.itemId !== view.currentItemId) return null;
  return p;
}

function InProgress({ view }: { view: SessionView }) {
  const poll = view.poll;
  const group = view.questioning?.activeGroup ?? null;
  const announced = announcedForNow(view);
  let main: ReactNode;
  let side = true;
  // A poll or a result names its own subject, and needs the height: the item band steps aside.
  let focus = false;
  // A per-official table (15 officials) needs the whole screen to be read from the back row: no band, no footer.
  let table = false;
  if (poll && poll.status === 'open') {
    main = <PollInProgress poll={poll} />;
    side = false;
    focus = true;
  } else if (poll && poll.status === 'counted') {
    main = <PollCounted poll={poll} />;
    side = false;
    focus = true;
  } else if (group && view.questioning) {
    main = <QuestioningPanel group={group} questioning={view.questioning} speaker={view.speaker} pledge={latestGroupPledge(view)} />;
    side = false;
  } else if (view.speaker) {
    main = <SpeakerPanel speaker={view.speaker} />;
  } else if (announced) {
    main = <ResultBoard poll={announced} result={announced.result!} />;
    side = false;
    focus = true;
    table = announced.result!.kind !== 'motion';
  } else {
    main = <Idle />;
  }
  if (table) {
    return (
      <main className="wall wall--live wall--table">
        <div className="wall-body">
          <div className="wall-body__main">{main}</div>
        </div>
      </main>
    );
  }
  return (
    <main className="wall wall--live">
      <TopBand view={view} showItem={!focus} />
      <div className={`wall-body${side ? ' wall-body--split' : ''}`}>
        <div className="wall-body__main">{main}</div>
        {side && <NextSpeakers queue={view.queue} />}
      </div>
      <footer className="wall-foot">{view.attendance && <AttendanceLine attendance={view.attendance} />}</footer>
    </main>
  );
}

function Idle() {
  const { w } = useStrings();
  return (
    <section className="wall-idle">
      <p className="wall-idle__text">{w('floorOpen')}</p>
    </section>
  );
}
