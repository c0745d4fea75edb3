/** Sign-in: delegate id + personal code (the kit's LoginForm), or the QR link that App redeems before this shows. */
import type { LoginResult } from '@hall/client-kit';
import { LanguageSwitch, LoginForm } from '@hall/client-kit/react';
import { useT } from '../i18n.ts';

export type LoginNotice = 'expired' | 'revoked' | 'notDelegate' | 'qrInvalid' | 'redeeming' | null;

export function LoginScreen({ notice, onLoggedIn }: { notice: LoginNotice; onLoggedIn: (r: LoginResult) => void }) {
  const { t, tc } = useT();
  return (
    <div className="login-page">
      <header className="login-page__head">
        <p className="login-page__brand">{tc('app.council')}</p>
        <h1 className="login-page__title">{t('appTitle')}</h1>
        <LanguageSwitch className="lang" />
      </header>
      <main className="login-page__main">
        {notice === 'redeeming' ? (
          <p className="banner banner--info" role="status">
            {t('login.redeeming')}
          </p>
        ) : notice ? (
          <p className="banner banner--warning" role="alert">
            {notice === 'expired' || notice === 'revoked' || notice === 'notDelegate' ? t(`login.${notice}`) : tc('login.qrInvalid')}
          </p>
        ) : null}
        <p className="login-page__intro">{t('login.intro')}</p>
        {notice !== 'redeeming' ? <LoginForm kind="code" onLoggedIn={onLoggedIn} className="login-form" /> : null}
      </main>
    </div>
  );
}
