/**
 * The roll by delegate group (Tổ đại biểu). The secretary keeps it: check someone in, or correct a status with a
 * note (the correction and who made it are recorded by the server). Which statuses are allowed — remote only where
 * the council allows it — is asked of the machine per option.
 */
import type { AttendanceRow, AttendanceStatus } from '@hall/core';
import { useCan, useView } from '@hall/client-kit/react';
import { useId, useMemo, useState, type RefObject } from 'react';
import { useT } from '../../i18n.ts';
import { CommandButton, useAction, useRoleMay } from '../ui/command.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { StatusMark, STATUSES } from './status.tsx';

export function AttendanceBoard({ searchRef }: { searchRef: RefObject<HTMLInputElement | null> }) {
  const view = useView();
  const { t, k } = useT();
  const [filter, setFilter] = useState<AttendanceStatus | 'all'>('all');
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const mayEdit = useRoleMay('attendance.set');
  const roll = view?.roll;

  const groups = useMemo(() => {
    const q = query.trim().toLocaleLowerCase('vi');
    const shown = (roll ?? []).filter(
      (r) => (filter === 'all' || r.status === filter) && (!q || r.name.toLocaleLowerCase('vi').includes(q) || r.seat.toLowerCase() === q),
    );
    const byGroup = new Map<string, AttendanceRow[]>();
    for (const r of shown) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
    return { shown: shown.length, list: [...byGroup.entries()] };
  }, [roll, filter, query]);

  const groupTotals = useMemo(() => {
    const m = new Map<string, { present: number; total: number }>();
    for (const r of roll ?? []) {
      const g = m.get(r.group) ?? { present: 0, total: 0 };
      g.total++;
      if (r.status === 'present' || r.status === 'remote') g.present++;
      m.set(r.group, g);
    }
    return m;
  }, [roll]);

  if (!view) return null;
  if (!roll) return <p className="muted">{t('attendance.noRoll')}</p>;

  return (
    <div className="attendance-board">
      <div className="filters">
        <label className="field">
          <span className="field-label">{t('attendance.search')}</span>
          <input ref={searchRef} className="input" type="search" value={query} onChange={(e) => setQuery(e.target.value)} aria-keyshortcuts="/" />
        </label>
        <label className="field">
          <span className="field-label">{t('attendance.filter')}</span>
          <select className="input" value={filter} onChange={(e) => setFilter(e.target.value as AttendanceStatus | 'all')}>
            <option value="all">{t('attendance.filterAll')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {k(`common:attendance.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <p className="muted filters-count" role="status">
          {t('attendance.shown', { shown: groups.shown, total: roll.length })}
        </p>
      </div>
      <table className="table roll">
        <caption className="hall-sr-only">{t('attendance.board')}</caption>
        <thead>
          <tr>
            <th scope="col" className="col-seat">
              {t('attendance.seat')}
            </th>
            <th scope="col">{t('attendance.name')}</th>
            <th scope="col">{t('attendance.status')}</th>
            <th scope="col">{t('attendance.note')}</th>
            <th scope="col" className="col-actions">
              {t('attendance.actions')}
            </th>
          </tr>
        </thead>
        {groups.list.map(([group, rows]) => {
          const totals = groupTotals.get(group);
          return (
            <tbody key={group}>
              <tr className="group-row">
                <th scope="rowgroup" colSpan={5}>
                  {group || t('attendance.noGroup')}
                  {totals && <span className="muted"> · {t('attendance.groupCount', totals)}</span>}
                </th>
              </tr>
              {rows.map((r) =>
                editing === r.delegateId ? (
                  <EditRow key={r.delegateId} row={r} onDone={() => setEditing(null)} />
                ) : (
                  <tr key={r.delegateId}>
                    <td className="col-seat">{r.seat}</td>
                    <td>{r.name}</td>
                    <td>
                      <StatusMark status={r.status} label={k(`common:attendance.${r.status}`)} />
                    </td>
                    <td className="muted">
                      {r.note}
                      {r.correctedBy && (
                        <>
                          {r.note ? ' · ' : ''}
                          <span className="corrected" title={r.correctedBy}>
                            <span aria-hidden="true">✎ </span>
                            {t('attendance.correctedBy')}
                          </span>
                        </>
                      )}
                    </td>
                    <td className="col-actions">
                      {r.status !== 'present' && (
                        <CommandButton
                          type="attendance.checkIn"
                          payload={{ delegateId: r.delegateId, channel: 'hall' }}
                          small
                          label={t('attendance.checkInLabel', { name: r.name })}
                        >
                          {t('attendance.checkIn')}
                        </CommandButton>
                      )}
                      {mayEdit && (
                        <button type="button" className="btn btn-small btn-quiet" onClick={() => setEditing(r.delegateId)} aria-label={t('attendance.editLabel', { name: r.name })}>
                          {t('attendance.edit')}
                        </button>
                      )}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function EditRow({ row, onDone }: { row: AttendanceRow; onDone: () => void }) {
  const { t, k } = useT();
  const [status, setStatus] = useState<AttendanceStatus>(row.status === 'unknown' ? 'present' : row.status);
  const [note, setNote] = useState(row.note ?? '');
  const payload = { delegateId: row.delegateId, status, ...(note.trim() ? { note: note.trim() } : {}) };
  const action = useAction('attendance.set', payload);
  const statusId = useId();
  const noteId = useId();
  const save = () => {
    if (action.run()) onDone();
  };
  return (
    <tr className="edit-row">
      <td className="col-seat">{row.seat}</td>
      <td>{row.name}</td>
      <td>
        <label htmlFor={statusId} className="hall-sr-only">
          {t('attendance.newStatus')}
        </label>
        <select
          id={statusId}
          className="input"
          value={status}
          autoFocus
          onChange={(e) => setStatus(e.target.value as AttendanceStatus)}
          onKeyDown={(e) => e.key === 'Escape' && onDone()}
        >
          {STATUSES.map((s) => (
            <StatusOption key={s} delegateId={row.delegateId} status={s} label={k(`common:attendance.${s}`)} />
          ))}
        </select>
      </td>
      <td>
        <label htmlFor={noteId} className="hall-sr-only">
          {t('attendance.noteOptional')}
        </label>
        <input
          id={noteId}
          className="input"
          value={note}
          placeholder={t('attendance.noteOptional')}
          maxLength={300}
          onChange={(e) => setNote(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') save();
            if (e.key === 'Escape') onDone();
          }}
        />
      </td>
      <td className="col-actions">
        <button type="button" className="btn btn-small btn-primary" onClick={save} aria-disabled={!action.verdict.ok || undefined} title={action.verdict.message}>
          {t('attendance.save')}
        </button>
        <button type="button" className="btn btn-small" onClick={onDone}>
          {t('attendance.cancel')}
        </button>
        <StatusBadge cmd={action.cmd} />
      </td>
    </tr>
  );
}

function StatusOption({ delegateId, status, label }: { delegateId: string; status: AttendanceStatus; label: string }) {
  const verdict = useCan('attendance.set', { delegateId, status });
  return (
    <option value={status} disabled={!verdict.ok}>
      {label}
      {!verdict.ok && verdict.reason !== 'WRONG_STATE' ? ` — ${verdict.message}` : ''}
    </option>
  );
}
