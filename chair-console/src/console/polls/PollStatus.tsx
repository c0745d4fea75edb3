/** The right-hand poll card: what the hall is voting on, how many have voted, time left, and the next step. */
import { ResultPanel, useView } from '@hall/client-kit/react';
import { useT } from '../../i18n.ts';
import { AnnounceButton, CastCounter, CloseButton, outcome, PollClock, PollHeading } from './PollParts.tsx';

export function PollStatus({ onOpenTab }: { onOpenTab: () => void }) {
  const view = useView();
  const tt = useT();
  const { t, k } = tt;
  const poll = view?.poll;
  return (
    <section className={`panel poll-status${poll?.status === 'open' ? ' is-open' : ''}`} aria-labelledby="poll-status-title">
      <h2 id="poll-status-title" className="panel-title">
        {k('common:voting.vote')}
      </h2>
      {!poll ? (
        <p className="muted">{t('polls.none')}</p>
      ) : (
        <>
          <PollHeading poll={poll} />
          {poll.status === 'open' && (
            <>
              <CastCounter poll={poll} />
              <PollClock poll={poll} />
              <div className="row">
                <CloseButton poll={poll} />
                {poll.mode !== 'electronic' && poll.mode !== 'secret' && (
                  <button type="button" className="btn" onClick={onOpenTab} aria-keyshortcuts="3">
                    {k('chair:poll.enterCounts')} <kbd aria-hidden="true">3</kbd>
                  </button>
                )}
              </div>
            </>
          )}
          {(poll.status === 'counted' || poll.status === 'announced') && (
            <>
              {poll.status === 'counted' && <p className="badge badge-preview">{t('polls.preview')}</p>}
              {poll.result === null ? (
                <p className="muted">{t('polls.sealedUntilAnnounced')}</p>
              ) : poll.result.kind === 'motion' ? (
                <ResultPanel poll={poll} headingLevel={3} className="result-compact" />
              ) : (
                // A table per official or candidate does not fit this column: a line here, the table in the tab.
                <p className="result-line">
                  <strong>{outcome(poll, tt)}</strong>{' '}
                  <button type="button" className="link" onClick={onOpenTab} aria-keyshortcuts="3">
                    {t('polls.show')}
                  </button>
                </p>
              )}
              <div className="row">
                <AnnounceButton poll={poll} />
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
