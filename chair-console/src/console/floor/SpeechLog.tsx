import { useView } from '@hall/client-kit/react';
import { useT } from '../../i18n.ts';
import { formatDuration, formatTime } from '../data.ts';

/**
 * Who spoke, newest first: the time they were allowed (with extensions), the time they actually took, and by how much
 * they overran. The journal keeps the rest.
 */
export function SpeechLog() {
  const view = useView();
  const { t, k } = useT();
  const log = [...(view?.speechLog ?? [])].reverse();
  return (
    <details className="panel panel-flat" open={log.length > 0 && log.length < 6}>
      <summary className="panel-title">
        {t('floor.log')} <span className="count-pill">{log.length}</span>
      </summary>
      {log.length === 0 ? (
        <p className="muted">{t('floor.logEmpty')}</p>
      ) : (
        <table className="table speech-log">
          <thead>
            <tr>
              <th scope="col">{t('floor.started')}</th>
              <th scope="col">{t('floor.name')}</th>
              <th scope="col">{t('floor.purpose')}</th>
              <th scope="col">{t('floor.allotted')}</th>
              <th scope="col">{t('floor.actual')}</th>
              <th scope="col">{t('floor.overrun')}</th>
            </tr>
          </thead>
          <tbody>
            {log.map((s) => {
              const allowedSec = s.limitSec + s.extendedSec;
              const actualSec = s.endedAt === null ? null : Math.round((s.endedAt - s.startedAt) / 1000);
              const overrunSec = actualSec === null ? 0 : actualSec - allowedSec;
              return (
                <tr key={s.speechId}>
                  <td>{formatTime(s.startedAt)}</td>
                  <td>
                    <span className="strong">{s.name}</span>
                    {s.role && <span className="muted"> · {s.role}</span>}
                  </td>
                  <td>{k(`common:purposes.${s.purpose}`)}</td>
                  <td>{formatDuration(allowedSec)}</td>
                  <td>{actualSec === null ? t('floor.speaking') : formatDuration(actualSec)}</td>
                  <td>
                    {overrunSec > 0 ? <span className="badge badge-overtime">{t('speaker.overrunBy', { time: formatDuration(overrunSec) })}</span> : '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </details>
  );
}

/** Requests left unheard when the item changed: these delegates may send their views in writing. */
export function Unheard() {
  const view = useView();
  const { t, k } = useT();
  const list = view?.unheard ?? [];
  if (list.length === 0) return null;
  return (
    <section className="panel panel-flat" aria-labelledby="unheard-title">
      <h2 id="unheard-title" className="panel-title">
        {t('floor.unheard')} <span className="count-pill">{list.length}</span>
      </h2>
      <p className="hint">{t('floor.unheardHint')}</p>
      <ul className="plain-list">
        {list.map((q) => (
          <li key={q.requestId}>
            <span className="strong">{q.name}</span> <span className="muted">· {q.group} · {k(`common:purposes.${q.purpose}`)} · {formatTime(q.at)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
