/**
 * Votes: set up a vote on the current item, follow it live, close it (with counts for hands and paper), announce,
 * re-vote with a reason, and the history of every poll with its rounds linked.
 */
import type { BallotChoice, PollView } from '@hall/core';
import { ResultPanel, useView } from '@hall/client-kit/react';
import { useT } from '../../i18n.ts';
import { formatTime } from '../data.ts';
import { useAction } from '../ui/command.tsx';
import { CountsForm } from './CountsForm.tsx';
import { AnnounceButton, CancelButton, CastCounter, CloseButton, NotVoted, outcome, PollClock, PollHeading, RevoteButton } from './PollParts.tsx';

export function PollsTab({ onCreate }: { onCreate: () => void }) {
  const view = useView();
  const { t } = useT();
  // The button mirrors the machine on a minimal vote: closed when no poll can open now (phase, an open poll, quorum).
  const probe = useAction('poll.open', { pollId: 'poll-check', subject: 'x', kind: 'motion', mode: 'electronic' });
  const poll = view?.poll ?? null;
  return (
    <div className="tab-stack">
      <div className="panel-head">
        <h2 className="panel-title">{t('tabs.polls')}</h2>
        {probe.visible && (
          <span className="cmd">
            <button
              type="button"
              className="btn btn-primary"
              onClick={onCreate}
              aria-keyshortcuts="o"
              aria-disabled={!probe.verdict.ok && probe.verdict.reason !== 'QUORUM_NOT_MET' ? true : undefined}
              title={probe.verdict.message}
            >
              + {t('polls.create')}
              <kbd className="btn-kbd" aria-hidden="true">
                O
              </kbd>
            </button>
            {!probe.verdict.ok && <span className="hint hint-refused">{probe.verdict.message}</span>}
          </span>
        )}
      </div>
      {poll ? <CurrentPoll poll={poll} /> : <p className="muted empty">{t('polls.none')}</p>}
      <History />
    </div>
  );
}

function CurrentPoll({ poll }: { poll: PollView }) {
  const { t } = useT();
  const manual = poll.mode === 'hands' || poll.mode === 'paper';
  return (
    <section className={`panel ${poll.status === 'open' ? 'panel-accent' : 'panel-flat'}`} aria-labelledby="current-poll">
      <h2 id="current-poll" className="hall-sr-only">
        {poll.subject}
      </h2>
      <PollHeading poll={poll} />
      {poll.status === 'open' && (
        <>
          <div className="poll-live">
            <CastCounter poll={poll} />
            <PollClock poll={poll} />
          </div>
          <NotVoted poll={poll} />
          {manual && <CountsForm key={poll.pollId} poll={poll} />}
          <div className="row">
            <CloseButton poll={poll} />
            <CancelButton poll={poll} />
          </div>
        </>
      )}
      {(poll.status === 'counted' || poll.status === 'announced') && (
        <>
          {poll.status === 'counted' && <p className="badge badge-preview">{t('polls.preview')}</p>}
          {poll.result === null ? <p className="muted">{t('polls.sealedUntilAnnounced')}</p> : <ResultPanel poll={poll} headingLevel={3} />}
          <div className="row">
            <AnnounceButton poll={poll} />
            <RevoteButton poll={poll} />
          </div>
          <Named poll={poll} />
        </>
      )}
    </section>
  );
}

function choiceText(k: (key: string) => string, c: BallotChoice): string {
  if (typeof c === 'string') return k(`common:choices.${c}`);
  if (Array.isArray(c)) return c.join(', ');
  return Object.values(c)
    .map((v) => k(`common:choices.${v}`))
    .join(', ');
}

/** After the announcement of a public vote, who chose what — the law requires publishing it. */
function Named({ poll }: { poll: PollView }) {
  const { t, k } = useT();
  if (!poll.named?.length) return null;
  return (
    <details className="named">
      <summary>
        {t('polls.named')} ({poll.named.length})
      </summary>
      <table className="table">
        <tbody>
          {poll.named.map((n) => (
            <tr key={n.delegateId}>
              <td>{n.name}</td>
              <td>{choiceText(k, n.choice)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function History() {
  const view = useView();
  const tt = useT();
  const { t, k } = tt;
  const polls = [...(view?.polls ?? [])].reverse();
  const subjectOf = new Map((view?.polls ?? []).map((p) => [p.pollId, p.subject]));
  return (
    <section className="panel panel-flat" aria-labelledby="poll-history">
      <h2 id="poll-history" className="panel-title">
        {t('polls.history')} <span className="count-pill">{polls.length}</span>
      </h2>
      {polls.length === 0 ? (
        <p className="muted empty">{t('polls.historyEmpty')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('polls.openedAt')}</th>
              <th scope="col">{t('polls.subject')}</th>
              <th scope="col">{t('polls.kind')}</th>
              <th scope="col">{t('polls.status')}</th>
              <th scope="col">{t('polls.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {polls.map((p) => (
              <tr key={p.pollId} id={`poll-${p.pollId}`}>
                <td>{formatTime(p.openedAt)}</td>
                <td>
                  {p.subject}
                  {p.revoteOf && (
                    <div className="small">
                      <a href={`#poll-${p.revoteOf}`}>{t('polls.roundOf', { round: p.round, subject: subjectOf.get(p.revoteOf) ?? p.revoteOf })}</a>
                    </div>
                  )}
                  {p.result && (
                    <details className="small">
                      <summary>{t('polls.show')}</summary>
                      <ResultPanel poll={p} headingLevel={3} />
                      <Named poll={p} />
                    </details>
                  )}
                </td>
                <td>
                  {k(`common:pollKinds.${p.kind}`)}
                  <div className="muted small">{k(`common:pollModes.${p.mode}`)}</div>
                </td>
                <td>{k(`common:pollStatus.${p.status}`)}</td>
                <td>{outcome(p, tt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
