import type { PledgeView, SessionView } from '@hall/core';
import { formatIsoDate } from '../shared/format.ts';
import { Countdown } from '@hall/client-kit/react';
import { useStrings } from '../shared/i18n.ts';
import { LONG_NAME } from './SpeakerPanel.tsx';
import { useSpeakerCaption } from '../shared/speakerCaption.ts';

type Questioning = NonNullable<SessionView['questioning']>;
type Group = NonNullable<Questioning['activeGroup']>;

/** The side column holds respondents and askers together: more respondents leave room for fewer askers. */
const SIDE_ROWS = 4;

/**
 * A question group is open: topic, respondents, who is asking (and whom) or answering, with the timer, who asks next,
 * and the latest commitment a respondent of the group made, as soon as the secretary records it.
 */
export function QuestioningPanel({ group, questioning, speaker, pledge }: { group: Group; questioning: Questioning; speaker: SessionView['speaker']; pledge: PledgeView | null }) {
  const { t, w } = useStrings();
  const caption = useSpeakerCaption();
  const who = speaker ? caption(speaker.purpose) : '';
  const asked = speaker?.purpose === 'question' ? speaker.askedOf : null;
  // A commitment takes the room of two rows of the side column.
  const maxAskers = Math.max(1, SIDE_ROWS - group.respondents.length - (pledge ? 2 : 0));
  const askers = questioning.queue.slice(0, maxAskers);

  return (
    <section className="wall-q" aria-labelledby="wall-q-h">
      <div className="wall-q__main">
        <p className="wall-eyebrow" id="wall-q-h">
          {w('questioning')} — {w('topic')}
        </p>
        <p className="wall-q__topic">{group.topic}</p>
        {speaker ? (
          <div className="wall-q__speaker">
            <p className="wall-q__who-label">{who}</p>
            <p className={`wall-q__name${speaker.name.length > LONG_NAME ? ' wall-q__name--long' : ''}`}>{speaker.name}</p>
            {/* Whom a question is put to matters more than the asker's group: it takes the group's line. */}
            {speaker.role && !asked && <p className="wall-q__role">{speaker.role}</p>}
            {asked && (
              <p className="wall-q__asked">
                <span className="wall-q__asked-label">{w('askedOf')}</span> <span className="wall-q__asked-name">{asked.name}</span>{' '}
                <span className="wall-q__asked-post">{asked.post}</span>
              </p>
            )}
            <Countdown endsAt={speaker.endsAt} overtime={speaker.overtime} size="wall" className="wall-countdown wall-countdown--q" label={w('timeLeft')} />
          </div>
        ) : (
          <p className="wall-q__idle">{w('floorOpen')}</p>
        )}
      </div>
      <aside className="wall-q__side">
        <h2 className="wall-eyebrow">{w('respondents')}</h2>
        <ul className="wall-q__resp">
          {group.respondents.map((r) => (
            <li key={r.id}>
              <span className="wall-q__resp-name">{r.name}</span>
              <span className="wall-q__resp-post">{r.post}</span>
            </li>
          ))}
        </ul>
        {pledge && (
          <div className="wall-q__pledge" role="note" aria-label={w('pledge')}>
            <p className="wall-q__pledge-label">
              {w('pledge')}: {pledge.respondent}
            </p>
            <p className="wall-q__pledge-text">{pledge.content}</p>
            {pledge.deadline && <p className="wall-q__pledge-due">{w('pledgeDeadline', { date: formatIsoDate(pledge.deadline) })}</p>}
          </div>
        )}
        <h2 className="wall-eyebrow">{w('askersQueue')}</h2>
        {askers.length === 0 ? (
          <p className="wall-next__empty">{w('askersEmpty')}</p>
        ) : (
          <ol className="wall-next__list">
            {askers.map((q, i) => (
              <li key={q.questionId} className="wall-next__row">
                <span className="wall-next__n" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="wall-next__who">
                  <span className="wall-q__asker">{q.asker}</span>
                  <span className="wall-q__to">{w('askTo', { respondent: q.respondent })}</span>
                </span>
              </li>
            ))}
          </ol>
        )}
        {questioning.queue.length > maxAskers && <p className="wall-next__more">{w('moreInQueue', { count: questioning.queue.length - maxAskers })}</p>}
        {questioning.awaitingAnswer.length > 0 && <p className="wall-q__await">{w('awaitingAnswer', { count: questioning.awaitingAnswer.length })}</p>}
      </aside>
    </section>
  );
}
