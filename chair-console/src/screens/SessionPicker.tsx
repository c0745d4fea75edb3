/**
 * GET /api/sessions: only the sessions this account may open (a chair or secretary runs their own council's; an
 * admin may look at every one), so a click never bounces. If the server still refuses (the account was moved to
 * another council meanwhile), the console comes back here and says why.
 */
import { LanguageSwitch } from '@hall/client-kit/react';
import { isHallError } from '@hall/client-kit';
import { useEffect, useState } from 'react';
import { listSessions, type SessionSummary } from '../api.ts';
import type { Auth } from '../auth-store.ts';
import { formatDate } from '../console/data.ts';
import { useT } from '../i18n.ts';

export function SessionPicker({ auth, onChoose, onLogout, refusal }: { auth: Auth; onChoose: (id: string) => void; onLogout: () => void; refusal?: string | null }) {
  const { t } = useT();
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    listSessions(auth.token).then(
      (list) => live && setSessions(list),
      (err: unknown) => {
        if (!live) return;
        if (isHallError(err) && err.code === 'UNAUTHENTICATED') onLogout();
        else setError(isHallError(err) ? err.message : String(err));
      },
    );
    return () => {
      live = false;
    };
  }, [auth.token, onLogout]);

  const mine = sessions?.filter((s) => s.mine) ?? [];
  const others = auth.claims.role === 'admin' ? (sessions?.filter((s) => !s.mine) ?? []) : [];
  const openable = mine.length + others.length;
  const statusLabel = (s: string) => {
    const key = `picker.status.${s}` as const;
    const text = t(key as never);
    return text === key || text.startsWith('console:') ? s : text;
  };

  const list = (items: SessionSummary[], heading: string) =>
    items.length > 0 && (
      <section aria-label={heading}>
        <h2 className="section-title">{heading}</h2>
        <ul className="session-list">
          {items.map((s, i) => (
            <li key={s.id}>
              <button type="button" className="session-item" onClick={() => onChoose(s.id)} autoFocus={i === 0 && items === mine}>
                <span className="session-title">{s.title}</span>
                <span className="session-meta">
                  {s.councilName} · {t('picker.date')} {formatDate(s.date)} · {statusLabel(s.status)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
    );

  return (
    <main className="screen-center">
      <div className="card picker-card">
        <div className="login-head">
          <h1>{t('picker.title')}</h1>
          <div className="row">
            <LanguageSwitch />
            <button type="button" className="btn" onClick={onLogout}>
              {t('app.logout')}
            </button>
          </div>
        </div>
        <p className="muted">
          {t('app.signedInAs', { name: auth.claims.name, role: t(`app.roles.${auth.claims.role}` as never) })}
        </p>
        <p className="muted">{t('picker.intro')}</p>
        {refusal && (
          <p role="alert" className="error-text">
            {t('picker.refused', { message: refusal })}
          </p>
        )}
        {error && (
          <p role="alert" className="error-text">
            {error}
          </p>
        )}
        {!sessions && !error && <p aria-busy="true">{t('picker.loading')}</p>}
        {sessions && openable === 0 && <p>{t('picker.empty')}</p>}
        {list(mine, t('picker.mine'))}
        {list(others, t('picker.others'))}
      </div>
    </main>
  );
}
