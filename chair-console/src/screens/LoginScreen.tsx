import { LanguageSwitch, LoginForm } from '@hall/client-kit/react';
import type { Auth } from '../auth-store.ts';
import { useT } from '../i18n.ts';

export function LoginScreen({ onLogin }: { onLogin: (auth: Auth) => void }) {
  const { t } = useT();
  return (
    <main className="screen-center">
      <div className="login-wrap">
        <div className="login-head">
          <div>
            <p className="header-council">Hall</p>
            <h1>{t('app.title')}</h1>
          </div>
          <LanguageSwitch />
        </div>
        <p className="muted">{t('app.loginIntro')}</p>
        <LoginForm kind="password" className="login-form" onLoggedIn={(r) => onLogin({ token: r.token, claims: r.claims })} />
      </div>
    </main>
  );
}
