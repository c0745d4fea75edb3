/** Counts by status and the quorum meter (core computes the quorum for the council's rule; nothing is counted here). */
import { QuorumMeter, useView } from '@hall/client-kit/react';
import { useT } from '../../i18n.ts';
import { StatusMark } from './status.tsx';

export function AttendanceSummary({ onOpenBoard }: { onOpenBoard: () => void }) {
  const view = useView();
  const { t, k } = useT();
  const a = view?.attendance;
  if (!a) return null;
  const rows = [
    ['present', a.present],
    ['remote', a.remote],
    ['absentExcused', a.absentExcused],
    ['absentUnexcused', a.absentUnexcused],
    ['unknown', a.unknown],
  ] as const;
  return (
    <section className="panel" aria-labelledby="att-summary-title">
      <h2 id="att-summary-title" className="panel-title">
        {t('attendance.summary')}
      </h2>
      <QuorumMeter attendance={a} headingLevel={3} />
      <dl className="counts">
        <div className="count-row count-total">
          <dt>{t('attendance.total')}</dt>
          <dd>{a.total}</dd>
        </div>
        {rows.map(([status, n]) => (
          <div key={status} className="count-row">
            <dt>
              <StatusMark status={status} label={k(`common:attendance.${status}`)} />
            </dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
      <button type="button" className="btn btn-small" onClick={onOpenBoard} aria-keyshortcuts="4">
        {t('attendance.openBoard')} <kbd aria-hidden="true">4</kbd>
      </button>
    </section>
  );
}
