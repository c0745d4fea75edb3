/**
 * Overlays for the public broadcast, drawn from the public view as data: who speaks and why with the time left, the
 * questioning topic and respondent, a vote's progress (count only), the announced result. Everything — the view and
 * the clock the countdown reads — is shown `delayMs` late, so nothing appears before the video shows it.
 */
import type { PollView, SessionView } from '@hall/core';
import { formatHallTime } from '@hall/client-kit';
import { Countdown, useServerNow } from '@hall/client-kit/react';
import { formatIsoDate, latestGroupPledge, pollWords } from '../shared/format.ts';
import { useStrings } from '../shared/i18n.ts';
import { useDelayed } from './delayedView.ts';
import { useSpeakerCaption } from '../shared/speakerCaption.ts';

export interface LiveOverlayProps {
  /** The latest public view, as it arrives. */
  view: SessionView | null;
  /** The player's latency: the overlay shows the newest view at least this old (default 0). */
  delayMs?: number;
}

export function LiveOverlay({ view, delayMs = 0 }: LiveOverlayProps) {
  const shown = useDelayed(view, delayMs);
  const { w } = useStrings();
  // The countdown reads the hall clock as it was when the frames now on screen were taken.
  const now = useServerNow(250) - Math.max(0, delayMs);
  if (!shown || shown.closedSitting) return null;
  const parts = overlayParts(shown);
  if (!parts.length) return null;
  return (
    <section className="overlay" aria-label={w('overlayLabel')}>
      {parts.map((p) => (
        <OverlayPart key={p} part={p} view={shown} now={now} />
      ))}
    </section>
  );
}

type Part = 'phase' | 'questioning' | 'speaker' | 'pledge' | 'poll' | 'result';

function overlayParts(v: SessionView): Part[] {
  if (v.phase !== 'inProgress') return v.phase === 'recess' || v.phase === 'adjourned' ? ['phase'] : [];
  const out: Part[] = [];
  if (v.questioning?.activeGroup) out.push('questioning');
  if (v.speaker) out.push('speaker');
  if (latestGroupPledge(v)) out.push('pledge');
  if (v.poll?.status === 'open') out.push('poll');
  else if (v.poll?.status === 'announced' && v.poll.result && (v.poll.itemId === null || v.poll.itemId === v.currentItemId) && !v.speaker) out.push('result');
  return out;
}

function OverlayPart({ part, view, now }: { part: Part; view: SessionView; now: number }) {
  const { t, w, lang } = useStrings();
  const caption = useSpeakerCaption();
  switch (part) {
    case 'phase':
      return (
        <div className="overlay__phasebox">
          <p className="overlay__phase">{view.phase === 'recess' ? w('recess') : w('adjourned')}</p>
          {view.phase === 'recess' && view.recess?.resumeAt != null && (
            <p className="overlay__resume">{t('recess.resumesAt', { time: formatHallTime(view.recess.resumeAt, lang) })}</p>
          )}
        </div>
      );
    case 'questioning': {
      const g = view.questioning!.activeGroup!;
      return (
        <div className="overlay__q">
          <p className="overlay__kicker">
            {t('terms.questioning')} · {w('topic')}
          </p>
          <p className="overlay__topic">{g.topic}</p>
          <p className="overlay__resp">
            {t('terms.respondent')}: {g.respondents.map((r) => `${r.name} (${r.post})`).join('; ')}
          </p>
        </div>
      );
    }
    case 'speaker': {
      const s = view.speaker!;
      return (
        <div className="overlay__speaker">
          <div className="overlay__who">
            <p className="overlay__kicker">{caption(s.purpose)}</p>
            <p className="overlay__name">{s.name}</p>
            {s.role && <p className="overlay__role">{s.role}</p>}
            {s.purpose === 'question' && s.askedOf && (
              <p className="overlay__asked">
                {w('askedOf')}: <strong>{s.askedOf.name}</strong> ({s.askedOf.post})
              </p>
            )}
          </div>
          <Countdown endsAt={s.endsAt} overtime={s.overtime} now={now} size="normal" className="overlay__timer" />
        </div>
      );
    }
    case 'pledge': {
      const c = latestGroupPledge(view)!;
      return (
        <div className="overlay__pledge">
          <p className="overlay__kicker">
            {w('pledge')} · {c.respondent}
          </p>
          <p className="overlay__topic">{c.content}</p>
          {c.deadline && <p className="overlay__resp">{w('pledgeDeadline', { date: formatIsoDate(c.deadline) })}</p>}
        </div>
      );
    }
    case 'poll':
      return <PollLine poll={view.poll!} />;
    case 'result':
      return <ResultLine poll={view.poll!} />;
  }
}

function PollLine({ poll }: { poll: PollView }) {
  const { t, w } = useStrings();
  const electronic = poll.mode === 'electronic' || poll.mode === 'secret';
  const words = pollWords(poll.kind);
  return (
    <div className="overlay__poll">
      <p className="overlay__kicker">
        {w(words.doing)} · {t(`pollModes.${poll.mode}`)}
      </p>
      <p className="overlay__topic">{poll.subject}</p>
      {electronic && <p className="overlay__count">{w(poll.kind === 'motion' ? 'votedOf' : 'ballotsOf', { cast: poll.castCount, eligible: poll.eligible })}</p>}
    </div>
  );
}

function ResultLine({ poll }: { poll: PollView }) {
  const { t } = useStrings();
  const r = poll.result!;
  return (
    <div className="overlay__result">
      <p className="overlay__kicker">
        {t('result.title')}
        {poll.round > 1 && <> · {t('voting.roundOfficial', { round: poll.round })}</>}
      </p>
      <p className="overlay__topic">{poll.subject}</p>
      {r.kind === 'motion' && (
        <p className="overlay__outcome">
          {t('choices.yes')} {r.lines.yes} —{' '}
          <strong className={r.adopted ? 'overlay__adopted' : 'overlay__rejected'}>{t(r.adopted ? 'result.adopted' : 'result.notAdopted')}</strong>
        </p>
      )}
    </div>
  );
}
