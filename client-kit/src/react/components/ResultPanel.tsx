import type { PollView, ResultView } from '@hall/core';
import { useId } from 'react';
import { revotedBy } from '../../rounds.ts';
import { useViewOptional } from '../context.tsx';
import { useKitTranslation } from '../i18n.ts';
import { cx, heading, type HeadingLevel } from './util.ts';

export interface ResultPanelProps {
  /** The result to show; defaults to `poll.result`. */
  result?: ResultView | null;
  /** The poll, for its subject, round and threshold rule. */
  poll?: PollView | null;
  /**
   * Every poll of the session, to say whether this round was voted again. Defaults to the provider's latest view;
   * the public page passes its delayed view's, so nothing is said before the picture shows it.
   */
  polls?: readonly PollView[];
  headingLevel?: HeadingLevel;
  className?: string;
}

type CountPercent = { count: number; percent: string };

/** The choice columns of the per-official tables: a rating has three levels, a vote of confidence two. */
type OfficialChoice = 'high' | 'confidence' | 'low' | 'noConfidence';
const RATING_COLUMNS: readonly OfficialChoice[] = ['high', 'confidence', 'low'];
const CONFIDENCE_VOTE_COLUMNS: readonly OfficialChoice[] = ['confidence', 'noConfidence'];
type OfficialRow = { officialId: string; name: string; post: string; valid: number; consequence: string } & Partial<Record<OfficialChoice, CountPercent>>;

/**
 * The result as announced in the hall (DOMAIN.md §4, the National Assembly's panel): each line a count and its
 * percentage of TOTAL delegates, then THÔNG QUA / KHÔNG THÔNG QUA. Every number comes formatted from core; this
 * component only lays them out. Confidence ratings, votes of confidence and elections get their own tables.
 */
export function ResultPanel({ result, poll, polls, headingLevel = 2, className }: ResultPanelProps) {
  const { t } = useKitTranslation();
  const titleId = useId();
  const view = useViewOptional();
  const r = result ?? poll?.result ?? null;
  const replacedBy = poll ? revotedBy(poll, polls ?? view?.polls ?? []) : null;
  // A replaced round is kept (it is in the record) but marked, so nobody reads it as the outcome.
  const superseded = replacedBy !== null;
  const H = heading(headingLevel);
  // Several announced results on one page must be distinct landmarks: name each by its title and its subject.
  const subjectId = `${titleId}-subject`;
  const labelledBy = poll ? `${titleId} ${subjectId}` : titleId;

  if (!r) {
    return (
      <section className={cx('hall-result', 'hall-result--empty', className)}>
        <p>{t('result.notYet')}</p>
      </section>
    );
  }

  const header = (title: string) => (
    <>
      <H id={titleId} className="hall-result__title">
        {title}
      </H>
      {poll ? (
        <p id={subjectId} className="hall-result__subject">
          {poll.subject}
        </p>
      ) : null}
      {poll && replacedBy ? (
        <div className="hall-result__round hall-result__round--superseded" role="note">
          <p>
            <strong>{t('voting.roundSuperseded', { round: poll.round })}</strong>
          </p>
          {replacedBy.revoteReason ? <p>{t('voting.revoteReason', { reason: replacedBy.revoteReason })}</p> : null}
          <p>{t('voting.supersededNote', { round: replacedBy.round })}</p>
        </div>
      ) : poll && poll.round > 1 ? (
        <div className="hall-result__round hall-result__round--official">
          <p>
            <strong>{t('voting.roundOfficial', { round: poll.round })}</strong>
          </p>
          {poll.revoteReason ? <p>{t('voting.revoteReason', { reason: poll.revoteReason })}</p> : null}
        </div>
      ) : null}
    </>
  );

  switch (r.kind) {
    case 'motion':
      return (
        <section className={cx('hall-result', 'hall-result--motion', superseded && 'hall-result--superseded', className)} aria-labelledby={labelledBy}>
          {header(t('result.title'))}
          <table className="hall-result__table">
            <caption>{t('result.totalDelegates', { total: r.total })}</caption>
            <tbody>
              <tr className="hall-result__row hall-result__row--took-part">
                <th scope="row">{t('result.tookPart')}</th>
                <td>{r.lines.tookPart}</td>
              </tr>
              <tr className="hall-result__row hall-result__row--yes">
                <th scope="row">{t('choices.yes')}</th>
                <td>{r.lines.yes}</td>
              </tr>
              <tr className="hall-result__row hall-result__row--no">
                <th scope="row">{t('choices.no')}</th>
                <td>{r.lines.no}</td>
              </tr>
              <tr className="hall-result__row hall-result__row--abstain">
                <th scope="row">{t('choices.abstain')}</th>
                <td>{r.lines.abstain}</td>
              </tr>
            </tbody>
          </table>
          <p className={cx('hall-result__outcome', r.adopted ? 'hall-result__outcome--adopted' : 'hall-result__outcome--rejected')}>
            <span className="hall-result__mark" aria-hidden="true">
              {r.adopted ? '✓' : '✕'}
            </span>
            <strong>{t(r.adopted ? 'result.adopted' : 'result.notAdopted')}</strong>
          </p>
          {poll ? <p className="hall-result__rule">{t('result.rule', { rule: t(`rules.${poll.rule}`) })}</p> : null}
        </section>
      );

    case 'confidenceRating':
    case 'confidenceVote': {
      const rating = r.kind === 'confidenceRating';
      const first = r.officials[0];
      const columns = rating ? RATING_COLUMNS : CONFIDENCE_VOTE_COLUMNS;
      // One column per choice with the count over its percentage, the post under the name: the table fits a phone, a
      // tablet in portrait and a TV without sideways scrolling; below ~34rem each official becomes a card (styles.css).
      return (
        <section
          className={cx('hall-result', rating ? 'hall-result--rating' : 'hall-result--confidence-vote', superseded && 'hall-result--superseded', className)}
          aria-labelledby={labelledBy}
        >
          {header(t(rating ? 'result.ratingTitle' : 'result.confidenceVoteTitle'))}
          {first ? <Ballots issued={first.issued} collected={first.collected} /> : null}
          <table className="hall-result__table hall-result__table--officials">
            <thead>
              <tr>
                <th scope="col">
                  {t('result.name')} — {t('result.post')}
                </th>
                <th scope="col" className="hall-result__valid">
                  {t('result.valid')}
                </th>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {t(`choices.${c}`)}
                  </th>
                ))}
                <th scope="col">{t('result.consequence')}</th>
              </tr>
            </thead>
            <tbody>
              {(r.officials as OfficialRow[]).map((o) => (
                <tr key={o.officialId} className={cx('hall-result__row', o.consequence !== 'none' && 'hall-result__row--flagged')}>
                  <th scope="row">
                    <span className="hall-result__name">{o.name}</span> <span className="hall-result__post">{o.post}</span>
                  </th>
                  <td className="hall-result__valid" data-label={t('result.valid')}>
                    {o.valid}
                  </td>
                  {columns.map((c) => (
                    <td key={c} data-label={t(`choices.${c}`)} className="hall-result__cp">
                      <span className="hall-result__count">{o[c]!.count}</span> <span className="hall-result__pct">({o[c]!.percent})</span>
                    </td>
                  ))}
                  <td className="hall-result__consequence" data-label={t('result.consequence')}>
                    <Consequence kind={o.consequence} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {r.kind === 'confidenceVote' ? <p className="hall-result__note">{t('result.totalDelegates', { total: r.officials[0]?.totalDelegates ?? 0 })}</p> : null}
        </section>
      );
    }

    case 'election':
      return (
        <section className={cx('hall-result', 'hall-result--election', superseded && 'hall-result--superseded', className)} aria-labelledby={labelledBy}>
          {header(t('result.electionTitle'))}
          <dl className="hall-result__ballots">
            <div>
              <dt>{t('result.valid')}</dt>
              <dd>{r.validBallots}</dd>
            </div>
            <div>
              <dt>{t('terms.totalDelegates')}</dt>
              <dd>{r.totalDelegates}</dd>
            </div>
          </dl>
          <p className="hall-result__note">{t('result.seats', { seats: r.seats })}</p>
          <table className="hall-result__table hall-result__table--wide">
            <thead>
              <tr>
                <th scope="col">{t('result.candidate')}</th>
                <th scope="col">{t('result.votes')}</th>
                <th scope="col">{t('result.percent')}</th>
                <th scope="col">{t('result.consequence')}</th>
              </tr>
            </thead>
            <tbody>
              {r.candidates.map((c) => (
                <tr key={c.id} className={cx('hall-result__row', c.elected && 'hall-result__row--elected')}>
                  <th scope="row">{r.names[c.id] ?? c.id}</th>
                  <td>{c.votes}</td>
                  <td>{c.percent}</td>
                  <td>
                    <span aria-hidden="true">{c.elected ? '✓ ' : ''}</span>
                    {t(c.elected ? 'result.elected' : 'result.notElected')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {r.tieAtLastSeat ? (
            <p className="hall-result__warning" role="note">
              {t('result.tie')}
            </p>
          ) : null}
        </section>
      );
  }
}

function Ballots({ issued, collected }: { issued: number; collected: number }) {
  const { t } = useKitTranslation();
  return (
    <dl className="hall-result__ballots">
      <div>
        <dt>{t('result.issued')}</dt>
        <dd>{issued}</dd>
      </div>
      <div>
        <dt>{t('result.collected')}</dt>
        <dd>{collected}</dd>
      </div>
    </dl>
  );
}

/** "No consequence" reads as a dash in a column of them; screen readers hear the words. */
function Consequence({ kind }: { kind: string }) {
  const { t } = useKitTranslation();
  const words = t(`result.consequences.${kind}`);
  if (kind !== 'none') return <>{words}</>;
  return (
    <>
      <span aria-hidden="true">—</span>
      <span className="hall-sr-only">{words}</span>
    </>
  );
}
