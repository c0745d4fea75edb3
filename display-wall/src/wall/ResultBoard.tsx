import type { PollView, ResultView } from '@hall/core';
import type { ReactNode } from 'react';
import { pages } from '../shared/format.ts';
import { useStrings } from '../shared/i18n.ts';
import { usePager } from '../shared/usePager.ts';
import { ResultPanel } from '@hall/client-kit/react';

/**
 * Rows per page of the per-official tables, sized (wall.css) to fill a 16:9 screen with type read from the back row
 * (20 m): 15 officials are two pages, not four.
 */
const OFFICIALS_PER_PAGE = 8;
const CANDIDATES_PER_PAGE = 8;

/** An announced result, in the format of DOMAIN.md §4 (motions) or §5-6 (ratings, confidence votes, elections). */
export function ResultBoard({ poll, result }: { poll: PollView; result: ResultView }) {
  const { t, w } = useStrings();
  // Motions use the kit's panel (the same one every app shows), laid out large by wall.css.
  if (result.kind === 'motion') return <ResultPanel poll={poll} result={result} className="wall-resultpanel" />;
  const title =
    result.kind === 'confidenceRating'
        ? w('ratingTitle')
        : result.kind === 'confidenceVote'
          ? w('confidenceVoteTitle')
          : w('electionTitle');
  return (
    <section className={`wall-result wall-result--${result.kind}`} aria-labelledby="wall-result-h">
      <h2 className="wall-result__title" id="wall-result-h">
        {title}
        {poll.round > 1 && <span className="wall-chip wall-chip--warn">{t('voting.roundOfficial', { round: poll.round })}</span>}
      </h2>
      <p className="wall-result__subject">{poll.subject}</p>
      <ResultBody result={result} />
    </section>
  );
}

function ResultBody({ result }: { result: ResultView }) {
  switch (result.kind) {
    case 'motion':
      return null;
    case 'confidenceRating':
      return <RatingTable result={result} />;
    case 'confidenceVote':
      return <ConfidenceVoteTable result={result} />;
    case 'election':
      return <ElectionTable result={result} />;
  }
}

function Pager({ page, count }: { page: number; count: number }) {
  const { w } = useStrings();
  if (count <= 1) return null;
  return (
    <p className="wall-pager" aria-live="polite">
      {w('page', { page: page + 1, pages: count })}
    </p>
  );
}

function Consequence({ kind }: { kind: 'none' | 'may-resign-else-vote-of-confidence' | 'dismissal-proposal' }) {
  const { t } = useStrings();
  // No consequence reads as a dash (a column of "Không có" is noise from the back row); screen readers hear the words.
  if (kind === 'none') {
    return (
      <span className="wall-flag wall-flag--none">
        <span aria-hidden="true">—</span>
        <span className="hall-sr-only">{t('result.consequences.none')}</span>
      </span>
    );
  }
  // The flag is said in words; the symbol and colour only repeat it.
  const mark = kind === 'dismissal-proposal' ? '✖ ' : '⚠ ';
  return (
    <span className={`wall-flag wall-flag--${kind}`}>
      <span aria-hidden="true">{mark}</span>
      {t(`result.consequences.${kind}`)}
    </span>
  );
}

function Cell({ count, percent }: { count: number; percent: string }) {
  return (
    <td className="wall-table__num">
      <span className="wall-table__count">{count}</span>
      <span className="wall-table__pct">{percent}</span>
    </td>
  );
}

/** The ballot counts and, when the table has pages, which page is showing. */
function Meta({ page, count, children }: { page: number; count: number; children: ReactNode }) {
  return (
    <div className="wall-result__meta">
      <p className="wall-result__ballots">{children}</p>
      <Pager page={page} count={count} />
    </div>
  );
}

/** The choice columns of the per-official tables: a rating has three levels, a vote of confidence two. */
type OfficialChoice = 'high' | 'confidence' | 'low' | 'noConfidence';
type OfficialRow = { officialId: string; name: string; post: string; consequence: Parameters<typeof Consequence>[0]['kind'] } & Partial<
  Record<OfficialChoice, { count: number; percent: string }>
>;

function RatingTable({ result }: { result: Extract<ResultView, { kind: 'confidenceRating' }> }) {
  const { w } = useStrings();
  const first = result.officials[0];
  return (
    <OfficialsTable officials={result.officials} columns={['high', 'confidence', 'low']}>
      {first && (
        <>
          {w('ballotsLine', { issued: first.issued, collected: first.collected, valid: first.valid, invalid: first.invalid })}
          {' · '}
          {w('ratingBase', { base: w(first.base === 'total-ballots' ? 'baseBallots' : 'baseDelegates') })}
        </>
      )}
    </OfficialsTable>
  );
}

function ConfidenceVoteTable({ result }: { result: Extract<ResultView, { kind: 'confidenceVote' }> }) {
  const { w } = useStrings();
  const first = result.officials[0];
  return (
    <OfficialsTable officials={result.officials} columns={['confidence', 'noConfidence']}>
      {first && `${w('ballotsLine', { issued: first.issued, collected: first.collected, valid: first.valid, invalid: first.invalid })} · ${w('totalDelegates', { total: first.totalDelegates })}`}
    </OfficialsTable>
  );
}

/** One page of officials (name and post, a count and percentage per choice, the consequence), under the ballot line. */
function OfficialsTable({ officials, columns, children }: { officials: OfficialRow[]; columns: OfficialChoice[]; children: ReactNode }) {
  const { t } = useStrings();
  const all = pages(officials, OFFICIALS_PER_PAGE);
  const page = usePager(all.length);
  return (
    <>
      <Meta page={page} count={all.length}>
        {children}
      </Meta>
      <table className="wall-table">
        <thead>
          <tr>
            <th scope="col">
              {t('result.name')} — {t('result.post')}
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
          {all[page]!.map((o) => (
            <tr key={o.officialId}>
              <th scope="row">
                <span className="wall-table__name">{o.name}</span>
                <span className="wall-table__post">{o.post}</span>
              </th>
              {columns.map((c) => (
                <Cell key={c} {...o[c]!} />
              ))}
              <td>
                <Consequence kind={o.consequence} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ElectionTable({ result }: { result: Extract<ResultView, { kind: 'election' }> }) {
  const { t, w } = useStrings();
  const all = pages(result.candidates, CANDIDATES_PER_PAGE);
  const page = usePager(all.length);
  const tied = new Set(result.tiedIds);
  return (
    <>
      <Meta page={page} count={all.length}>
        {w('seatsLine', { seats: result.seats, valid: result.validBallots })} · {w('totalDelegates', { total: result.totalDelegates })}
      </Meta>
      <table className="wall-table">
        <thead>
          <tr>
            <th scope="col">{t('result.candidate')}</th>
            <th scope="col">{t('result.votes')}</th>
            <th scope="col">{w('outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {all[page]!.map((c) => (
            <tr key={c.id} className={c.elected ? 'wall-table__row--elected' : undefined}>
              <th scope="row">
                <span className="wall-table__name">
                  {c.rank}. {result.names[c.id] ?? c.id}
                </span>
              </th>
              <Cell count={c.votes} percent={c.percent} />
              <td>
                <span className={`wall-flag ${c.elected ? 'wall-flag--elected' : tied.has(c.id) ? 'wall-flag--may-resign-else-vote-of-confidence' : 'wall-flag--none'}`}>
                  <span aria-hidden="true">{c.elected ? '✔ ' : tied.has(c.id) ? '⚠ ' : ''}</span>
                  {c.elected ? w('electedMark') : tied.has(c.id) ? w('tiedMark') : w('notElectedMark')}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.tieAtLastSeat && <p className="wall-result__note">{t('result.tie')}</p>}
    </>
  );
}
