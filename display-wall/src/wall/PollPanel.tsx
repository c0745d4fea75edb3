import type { PollView } from '@hall/core';
import { Countdown } from '@hall/client-kit/react';
import { useStrings } from '../shared/i18n.ts';
import { pollWords } from '../shared/format.ts';

/**
 * A poll in progress: subject, how many of the delegates present have voted, and the time left. Never the choices
 * or a running tally — the view does not carry them, and the wall would not show them if it did.
 */
export function PollInProgress({ poll }: { poll: PollView }) {
  const { t, w } = useStrings();
  const words = pollWords(poll.kind);
  // Show of hands and paper ballots are counted by people, not by tablets: there is no running count to show.
  const electronic = poll.mode === 'electronic' || poll.mode === 'secret';
  const share = poll.eligible > 0 ? Math.min(100, (poll.castCount / poll.eligible) * 100) : 0;
  return (
    <section className="wall-poll" aria-labelledby="wall-poll-h">
      <p className="wall-eyebrow" id="wall-poll-h">
        {w(words.doing)}
        <span className="wall-chip">{t(`pollModes.${poll.mode}`)}</span>
        {poll.round > 1 && <span className="wall-chip wall-chip--warn">{w('revote', { round: poll.round })}</span>}
      </p>
      <p className="wall-poll__subject">{poll.subject}</p>
      {poll.round > 1 && poll.revoteReason && <p className="wall-poll__reason">{t('voting.revoteReason', { reason: poll.revoteReason })}</p>}
      <div className="wall-poll__figures">
        {electronic ? (
          <div className="wall-poll__cast">
            <p className="wall-poll__cast-label">{w(words.label)}</p>
            <p className="wall-poll__cast-value">
              {/* Big figures for the eye, a sentence for screen readers (aria-label is not allowed on a <p>). */}
              <span aria-hidden="true">
                {poll.castCount}
                <span className="wall-poll__of">/{poll.eligible}</span>
              </span>
              <span className="hall-sr-only">{w(words.spoken, { cast: poll.castCount, eligible: poll.eligible })}</span>
            </p>
            <div className="wall-meter" aria-hidden="true">
              <span className="wall-meter__bar" style={{ width: `${share}%` }} />
            </div>
          </div>
        ) : (
          <p className="wall-poll__note">{w(poll.mode === 'hands' ? 'handsNote' : 'paperNote')}</p>
        )}
        <div className="wall-poll__time">
          {poll.closesAt !== null ? (
            <Countdown endsAt={poll.closesAt} size="wall" className="wall-countdown wall-countdown--poll" label={w(words.closesIn)} />
          ) : (
            <p className="wall-poll__note">{w('noDeadline')}</p>
          )}
        </div>
      </div>
    </section>
  );
}

/** Voting has closed; the wall sees results only once the chair announces them. */
export function PollCounted({ poll }: { poll: PollView }) {
  const { w } = useStrings();
  return (
    <section className="wall-poll wall-poll--counted" aria-labelledby="wall-counted-h">
      <p className="wall-eyebrow" id="wall-counted-h">
        {w('counted')}
      </p>
      <p className="wall-poll__subject">{poll.subject}</p>
      <p className="wall-poll__await">{w('awaitingAnnouncement')}</p>
    </section>
  );
}
