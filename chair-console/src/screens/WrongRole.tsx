import { useT } from '../i18n.ts';

/** A delegate or a wall device signed in here by mistake: send them to their own app rather than a dead console. */
export function WrongRole({ onLogout }: { onLogout: () => void }) {
  const { t } = useT();
  return (
    <main className="screen-center">
      <div className="card login-card">
        <h1>{t('app.title')}</h1>
        <p role="alert">{t('app.wrongRole')}</p>
        <p className="row">
          <a className="btn btn-primary" href="/delegate/">
            {t('app.delegateApp')}
          </a>
          <button type="button" className="btn" onClick={onLogout}>
            {t('app.logout')}
          </button>
        </p>
      </div>
    </main>
  );
}
