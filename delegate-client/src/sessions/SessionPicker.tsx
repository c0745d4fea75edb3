/** Which session this tablet follows: the delegate's own council's sessions only (`mine`). */
import { vnShortDate } from '@hall/core';
import { LanguageSwitch } from '@hall/client-kit/react';
import { useEffect, useId, useState } from 'react';
import { ApiError, listMySessions, type SessionListing } from '../api.ts';
import { useAuth } from '../auth/auth-context.ts';
import { useT } from '../i18n.ts';

type Load = { state: 'loading' } | { state: 'ready'; sessions: SessionListing[] } | { state: 'failed' };

export function SessionPicker({
  onPick,
  onLogoutClick,
  autoPick,
}: {
  onPick: (id: string) => void;
  onLogoutClick: () => void;
  /** Go straight in when there is exactly one session — not when the delegate asked to change session. */
  autoPick: boolean;
}) {
  const { t, tc } = useT();
  const { token, claims, logout } = useAuth();
  const titleId = useId();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    setLoad({ state: 'loading' });
    listMySessions(token, abort.signal).then(
      (sessions) => {
        setLoad({ state: 'ready', sessions });
        // One session is the usual case at a sitting: go straight in rather than ask.
        if (autoPick && sessions.length === 1) onPick(sessions[0]!.id);
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        if (err instanceof ApiError && err.status === 401) return logout('expired');
        setLoad({ state: 'failed' });
      },
    );
    return () => abort.abort();
  }, [token, attempt, onPick, logout, autoPick]);

  return (
    <div className="page">
      <header className="topbar">
        <div className="topbar__who">
          <p className="topbar__council">{tc('app.council')}</p>
          <p className="topbar__name">
            {t('header.delegate')} {claims.name}
          </p>
        </div>
        <div className="topbar__actions">
          <LanguageSwitch className="lang" />
          <button type="button" className="btn btn--secondary" onClick={onLogoutClick}>
            {t('logout')}
          </button>
        </div>
      </header>
      <main className="page__main" aria-labelledby={titleId}>
        <h1 id={titleId} className="page__title">
          {t('sessions.title')}
        </h1>
        {load.state === 'loading' ? <p role="status">{t('sessions.loading')}</p> : null}
        {load.state === 'failed' ? (
          <div role="alert" className="banner banner--warning">
            <p>{t('sessions.failed')}</p>
            <button type="button" className="btn btn--primary" onClick={() => setAttempt((n) => n + 1)}>
              {tc('actions.retry')}
            </button>
          </div>
        ) : null}
        {load.state === 'ready' && load.sessions.length === 0 ? <p className="muted">{t('sessions.none')}</p> : null}
        {load.state === 'ready' && load.sessions.length > 0 ? (
          <ul className="session-list">
            {load.sessions.map((s) => (
              <li key={s.id}>
                <button type="button" className="session" onClick={() => onPick(s.id)}>
                  <span className="session__council">{s.councilName}</span>
                  <span className="session__title">{s.title}</span>
                  <span className="session__meta">
                    {t('sessions.date', { date: vnShortDate(s.date) })} · {t(`sessions.status.${s.status}`, { defaultValue: s.status })}
                  </span>
                  <span className="session__go">
                    {t('sessions.open')} <span aria-hidden="true">→</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </main>
    </div>
  );
}
