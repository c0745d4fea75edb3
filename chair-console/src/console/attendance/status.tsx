import type { AttendanceStatus } from '@hall/core';

export const STATUSES: AttendanceStatus[] = ['present', 'remote', 'absentExcused', 'absentUnexcused', 'unknown'];

/** A shape per status, so the board reads the same in grey scale and for colour-blind eyes. */
export const STATUS_ICON: Record<AttendanceStatus, string> = {
  present: '✓',
  remote: '⌂',
  absentExcused: '○',
  absentUnexcused: '✕',
  unknown: '?',
};

export function StatusMark({ status, label }: { status: AttendanceStatus; label: string }) {
  return (
    <span className={`status status-${status}`}>
      <span className="status-icon" aria-hidden="true">
        {STATUS_ICON[status]}
      </span>
      {label}
    </span>
  );
}
