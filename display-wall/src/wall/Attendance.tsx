import type { AttendanceView } from '@hall/core';
import { useStrings } from '../shared/i18n.ts';

/** "Có mặt 80/85 — Đủ túc số": the figures and the verdict are core's (quorumStatus), said in words. */
export function AttendanceLine({ attendance }: { attendance: AttendanceView }) {
  const { w } = useStrings();
  const q = attendance.quorum;
  return (
    <p className={`wall-att wall-att--${q.met ? 'met' : 'unmet'}`}>
      <span className="wall-att__count">{w('attendance', { counted: q.counted, total: q.total })}</span>
      {/* Spoken as a comma so a screen reader does not run the count and the verdict together. */}
      <span className="wall-att__sep" aria-hidden="true">
        {' — '}
      </span>
      <span className="hall-sr-only">, </span>
      <span className="wall-att__verdict">
        <span aria-hidden="true">{q.met ? '✔ ' : '✖ '}</span>
        {w(q.met ? 'quorumMet' : 'quorumNotMet')}
      </span>
    </p>
  );
}

/**
 * Roll-call progress for the check-in screen: a bar of delegates present against the total with a mark at the
 * quorum (both numbers from the view), plus the line above.
 */
export function RollProgress({ attendance }: { attendance: AttendanceView }) {
  const { t, w } = useStrings();
  const q = attendance.quorum;
  const pct = (n: number) => (q.total > 0 ? `${Math.min(100, (n / q.total) * 100)}%` : '0%');
  return (
    <div className="wall-roll">
      <p className="wall-roll__figure">
        <span aria-hidden="true">
          {q.counted}
          <span className="wall-roll__of">/{q.total}</span>
        </span>
        <span className="hall-sr-only">{w('rollProgress', { counted: q.counted, total: q.total })}</span>
      </p>
      <div className="wall-meter wall-meter--roll" aria-hidden="true">
        <span className="wall-meter__bar" style={{ width: pct(q.counted) }} />
        <span className="wall-meter__mark" style={{ left: pct(q.required) }} />
      </div>
      <AttendanceLine attendance={attendance} />
      <p className="wall-roll__required">{t('quorum.required', { required: q.required })}</p>
    </div>
  );
}
