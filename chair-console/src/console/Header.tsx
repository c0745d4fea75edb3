/** Who, what and when: council and session, the sitting, the phase, closed-sitting and on-air badges, the clock. */
import { LanguageSwitch, useCommand, useServerNow, useView } from '@hall/client-kit/react';
import type { Auth } from '../auth-store.ts';
import { useT } from '../i18n.ts';
import { formatTime } from './data.ts';
import { PhaseBadges } from './PhaseBadges.tsx';

export interface HeaderProps {
  auth: Auth;
  onSwitch: () => void;
  onLogout: () => void;
  onHelp: () => void;
}

export function Header({ auth, onSwitch, onLogout, onHelp }: HeaderProps) {
  const view = useView();
  const { t } = useT();
  const now = useServerNow(1000);
  const { pending } = useCommand();
  const sending = pending.filter((c) => c.status.state === 'sending').length;
  const role = auth.claims.role;
  return (
    <header className="header">
      <div className="header-main">
        <p className="header-council">
          {view ? view.council.name : t(role === 'secretary' ? 'app.secretaryTitle' : 'app.title')}
          <span className="header-desk"> · {t(role === 'secretary' ? 'app.secretaryTitle' : 'app.title')}</span>
        </p>
        <h1 className="header-title">{view?.title ?? t('app.loading')}</h1>
        {view && (
          <p className="header-sitting">
            <span>{t('header.sitting', { number: view.sitting.number, title: view.sitting.title })}</span>
            <PhaseBadges view={view} />
            {view.broadcast.onAir && (
              <span className="badge badge-onair">
                <span aria-hidden="true">◉ </span>
                {t('header.onAir')}
              </span>
            )}
          </p>
        )}
      </div>
      <div className="header-side">
        {sending > 0 && (
          <span className="badge badge-pending" role="status">
            {t('header.pending', { count: sending })}
          </span>
        )}
        <time className="clock" dateTime={new Date(now).toISOString()} aria-label={`${t('header.clock')} ${formatTime(now, true)}`}>
          {formatTime(now, true)}
        </time>
        <LanguageSwitch />
        <button type="button" className="btn btn-quiet" onClick={onHelp} aria-keyshortcuts="?">
          <kbd aria-hidden="true">?</kbd> {t('header.help')}
        </button>
        <details className="user-menu">
          <summary className="btn btn-quiet">{auth.claims.name || auth.claims.sub}</summary>
          <div className="user-menu-list">
            <p className="muted">{t(`app.roles.${role}` as never)}</p>
            <button type="button" className="btn" onClick={onSwitch}>
              {t('app.switchSession')}
            </button>
            <button type="button" className="btn" onClick={onLogout}>
              {t('app.logout')}
            </button>
          </div>
        </details>
      </div>
    </header>
  );
}
