/**
 * Results as the chair announced them: the kit's ResultPanel lays out core's numbers (motion panel, or the
 * per-official table for confidence ballots, or the election table). Nothing is recomputed here.
 */
import type { PollView } from '@hall/core';
import { officialFirst } from '@hall/client-kit';
import { ResultPanel, useView } from '@hall/client-kit/react';
import { useId } from 'react';
import { useT } from '../i18n.ts';
import { useBallots } from '../voting/ballots.tsx';
import { BallotStatus } from '../voting/BallotStatus.tsx';
import { ReceiptCard } from '../voting/committee.tsx';

/** The latest poll on the home screen once it is no longer open: waiting for the announcement, or its result. */
export function LatestPoll() {
  const { t } = useT();
  const view = useView();
  const ballots = useBallots();
  const titleId = useId();
  const poll = view?.poll;
  if (!poll || poll.status === 'open' || poll.status === 'cancelled') return null;
  const track = ballots.track(poll.pollId);
  return (
    <section className="card latest-poll" aria-labelledby={poll.status === 'counted' ? titleId : undefined}>
      {/* A ballot still unacked, or refused, when the poll closed must be said plainly here. */}
      {track && track.status.state !== 'recorded' ? <BallotStatus poll={poll} track={track} /> : null}
      {poll.status === 'counted' ? (
        <>
          <h2 id={titleId} className="card__title">
            {t('results.title')}
          </h2>
          <p className="latest-poll__subject">{poll.subject}</p>
          <p className="banner banner--info">{t('vote.counting')}</p>
        </>
      ) : (
        <div className="table-scroll">
          <ResultPanel poll={poll} headingLevel={2} />
        </div>
      )}
      {/* Committee polls: the receipt, and once announced its check on the public board. */}
      <ReceiptCard poll={poll} />
    </section>
  );
}

export function ResultsTab() {
  const { t } = useT();
  const view = useView();
  const titleId = useId();
  // The official round first, then the rounds it replaced (each marked by the panel).
  const announced: PollView[] = officialFirst(view?.polls ?? []);
  const [latest, ...earlier] = announced;
  return (
    <section className="card results" aria-labelledby={titleId}>
      <h2 id={titleId} className="card__title">
        {t('results.title')}
      </h2>
      {!latest ? (
        <p className="muted">{t('results.none')}</p>
      ) : (
        <>
          <div className="table-scroll">
            <ResultPanel poll={latest} headingLevel={3} />
          </div>
          {earlier.length ? <h3 className="card__subtitle">{t('results.earlier')}</h3> : null}
          {earlier.map((p) => (
            <details key={p.pollId} className="results__earlier">
              <summary>{p.subject}</summary>
              <div className="table-scroll">
                <ResultPanel poll={p} headingLevel={3} />
              </div>
            </details>
          ))}
        </>
      )}
    </section>
  );
}
