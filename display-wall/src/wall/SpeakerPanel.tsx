import type { QueueEntryView, SpeakerView } from '@hall/core';
import { Countdown } from '@hall/client-kit/react';
import { useStrings } from '../shared/i18n.ts';

/** Names longer than this take a smaller size, so they stay on one line and the countdown keeps its room. */
export const LONG_NAME = 22;

/** Who has the floor, why, and the big countdown (red with "+mm:ss" and the words "Hết thời gian" in overtime). */
export function SpeakerPanel({ speaker, caption }: { speaker: SpeakerView; caption?: string }) {
  const { t, w } = useStrings();
  return (
    <section className="wall-speaker" aria-labelledby="wall-speaker-h">
      <p className="wall-eyebrow" id="wall-speaker-h">
        {caption ?? w('nowSpeaking')}
        <span className="wall-chip">{t(`purposes.${speaker.purpose}`)}</span>
      </p>
      <p className={`wall-speaker__name${speaker.name.length > LONG_NAME ? ' wall-speaker__name--long' : ''}`}>{speaker.name}</p>
      {speaker.role && <p className="wall-speaker__role">{speaker.role}</p>}
      <Countdown endsAt={speaker.endsAt} overtime={speaker.overtime} size="wall" className="wall-countdown" label={w('timeLeft')} />
    </section>
  );
}

/** The first few of the queue; the rest are counted, never scrolled. */
export function NextSpeakers({ queue, max = 3 }: { queue: QueueEntryView[]; max?: number }) {
  const { t, w } = useStrings();
  const shown = queue.slice(0, max);
  return (
    <section className="wall-next" aria-labelledby="wall-next-h">
      <h2 className="wall-eyebrow" id="wall-next-h">
        {w('nextSpeakers')}
      </h2>
      {shown.length === 0 ? (
        <p className="wall-next__empty">{w('noQueue')}</p>
      ) : (
        <ol className="wall-next__list">
          {shown.map((q, i) => (
            <li key={q.requestId} className="wall-next__row">
              <span className="wall-next__n" aria-hidden="true">
                {i + 1}
              </span>
              <span className="wall-next__who">
                <span className="wall-next__name">{q.name}</span>
                <span className="wall-next__group">
                  {q.group}
                  {q.purpose !== 'speech' && <> · {t(`purposes.${q.purpose}`)}</>}
                </span>
              </span>
            </li>
          ))}
        </ol>
      )}
      {queue.length > max && <p className="wall-next__more">{w('moreInQueue', { count: queue.length - max })}</p>}
    </section>
  );
}
