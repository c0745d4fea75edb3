import { useEffect, useState } from 'react';
import { listSessions, type SessionSummary } from '@hall/client-kit';
import { formatIsoDate } from './format.ts';
import { useStrings } from './i18n.ts';

export type { SessionSummary } from '@hall/client-kit';

/** A wall sends its token so `mine` marks its own council's sessions. */
const loadSessions = (token: string | null) => listSessions(token);

/**
 * Shown when no `?session=` was given. A wall lists only its council's sessions (it could not join the others);
 * the public sees every session.
 */
export function SessionPicker({ token, onlyMine, onPick, error }: { token: string | null; onlyMine: boolean; onPick: (id: string) => void; error?: string | null }) {
  const { t, w } = useStrings();
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setFailed(false);
    loadSessions(token)
      .then((list) => live && setSessions(onlyMine ? list.filter((s) => s.mine) : list))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [token, onlyMine, attempt]);

  return (
    <section className="picker" aria-labelledby="picker-h">
      <h1 id="picker-h" className="picker__title">
        {w('pickSession')}
      </h1>
      <p className="picker__hint">{w('pickSessionHint')}</p>
      {error && (
        <p className="picker__error" role="alert">
          {error}
        </p>
      )}
      {failed ? (
        <p className="picker__error" role="alert">
          {w('sessionsFailed')}{' '}
          <button type="button" className="hall-button" onClick={() => setAttempt((n) => n + 1)}>
            {t('actions.retry')}
          </button>
        </p>
      ) : sessions === null ? (
        <p role="status">{w('loading')}</p>
      ) : sessions.length === 0 ? (
        <p>{w('noSessions')}</p>
      ) : (
        <ul className="picker__list">
          {sessions.map((s) => (
            <li key={s.id}>
              <button type="button" className="picker__item" onClick={() => onPick(s.id)}>
                <span className="picker__council">{s.councilName}</span>
                <span className="picker__name">{s.title}</span>
                <span className="picker__meta">
                  {w('sessionDate', { date: formatIsoDate(s.date) })}
                  {isPhase(s.status) ? ` · ${t(`phases.${s.status}`)}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const PHASES = ['scheduled', 'checkIn', 'inProgress', 'recess', 'adjourned'] as const;
const isPhase = (s: string): s is (typeof PHASES)[number] => (PHASES as readonly string[]).includes(s);
