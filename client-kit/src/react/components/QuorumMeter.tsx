import type { AttendanceView } from '@hall/core';
import { useId } from 'react';
import { useKitTranslation } from '../i18n.ts';
import { cx, heading, type HeadingLevel } from './util.ts';

export interface QuorumMeterProps {
  attendance: AttendanceView | null | undefined;
  headingLevel?: HeadingLevel;
  className?: string;
}

/** Present against total delegates and the quorum core computed for the council's rule — stated in words too. */
export function QuorumMeter({ attendance, headingLevel = 3, className }: QuorumMeterProps) {
  const { t } = useKitTranslation();
  const titleId = useId();
  if (!attendance) return null;
  const q = attendance.quorum;
  const H = heading(headingLevel);
  return (
    <section className={cx('hall-quorum', q.met ? 'hall-quorum--met' : 'hall-quorum--not-met', className)} aria-labelledby={titleId}>
      <H id={titleId} className="hall-quorum__title">
        {t('quorum.title')}
      </H>
      <p className="hall-quorum__count">{t('quorum.present', { counted: q.counted, total: q.total, percent: q.percent })}</p>
      <meter
        className="hall-quorum__meter"
        min={0}
        max={Math.max(1, q.total)}
        value={q.counted}
        low={q.required}
        optimum={Math.max(1, q.total)}
        aria-label={t('quorum.meterLabel', { counted: q.counted, total: q.total, required: q.required })}
      />
      {attendance.remote > 0 ? <p className="hall-quorum__remote">{t('quorum.remote', { count: attendance.remote })}</p> : null}
      <p className="hall-quorum__required">{t('quorum.required', { required: q.required })}</p>
      <p className="hall-quorum__verdict">
        <span aria-hidden="true">{q.met ? '✓ ' : '! '}</span>
        {t(q.met ? 'quorum.met' : 'quorum.notMet')}
      </p>
    </section>
  );
}
