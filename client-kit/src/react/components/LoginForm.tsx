import { useEffect, useId, useState, type FormEvent } from 'react';
import { HallClient, type LoginKind, type LoginResult } from '../../client.ts';
import { HallError, type HallErrorCode } from '../../errors.ts';
import { useKitTranslation } from '../i18n.ts';
import { cx } from './util.ts';

export interface LoginFormProps {
  kind: LoginKind;
  onLoggedIn: (result: LoginResult) => void;
  /** Server origin; default `location.origin`. */
  baseUrl?: string;
  /** Replaces `HallClient.login` (tests, or a custom transport). */
  login?: (baseUrl: string, kind: LoginKind, id: string, secret: string) => Promise<LoginResult>;
  className?: string;
}

type FormError = { code: HallErrorCode | 'REQUIRED'; retryUntil?: number };

/**
 * Sign-in for staff (password), delegates (delegate id + personal code) and hall displays (device). After too many
 * failures the server throttles: the button stays disabled and the wait counts down, so nobody keeps pressing into
 * a longer lockout.
 */
export function LoginForm({ kind, onLoggedIn, baseUrl, login = HallClient.login, className }: LoginFormProps) {
  const { t } = useKitTranslation();
  const ids = { title: useId(), id: useId(), secret: useId(), error: useId() };
  const [id, setId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const waitSec = error?.retryUntil ? Math.max(0, Math.ceil((error.retryUntil - now) / 1000)) : 0;
  useEffect(() => {
    if (!error?.retryUntil) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [error?.retryUntil]);
  const throttled = error?.code === 'THROTTLED' && waitSec > 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || throttled) return;
    if (!id.trim() || !secret) return setError({ code: 'REQUIRED' });
    setBusy(true);
    setError(null);
    try {
      const origin = baseUrl ?? (globalThis as { location?: { origin?: string } }).location?.origin ?? '';
      const result = await login(origin, kind, id.trim(), secret);
      setSecret('');
      onLoggedIn(result);
    } catch (err) {
      const code: HallErrorCode = err instanceof HallError ? err.code : 'NETWORK';
      const retryAfter = err instanceof HallError ? err.retryAfterSec : undefined;
      setNow(Date.now());
      setError(code === 'THROTTLED' ? { code, retryUntil: Date.now() + (retryAfter ?? 60) * 1000 } : { code });
    } finally {
      setBusy(false);
    }
  };

  let message: string | null = null;
  if (error) {
    switch (error.code) {
      case 'REQUIRED':
        message = t('login.required');
        break;
      case 'AUTH_FAILED':
        message = t(`login.failed.${kind}`);
        break;
      case 'THROTTLED':
        message = waitSec > 0 ? t('login.throttled', { sec: waitSec }) : null;
        break;
      case 'DISABLED':
        message = t('login.disabled');
        break;
      case 'NETWORK':
        message = t('login.network');
        break;
      default:
        message = t(`errors.${error.code}`);
    }
  }

  return (
    <form className={cx('hall-login', className)} aria-labelledby={ids.title} noValidate onSubmit={(e) => void submit(e)}>
      <h2 id={ids.title} className="hall-login__title">
        {t('login.title')}
      </h2>
      <p className="hall-login__hint">{t(`login.hint.${kind}`)}</p>
      <div className="hall-field">
        <label htmlFor={ids.id}>{t(`login.idLabel.${kind}`)}</label>
        <input
          id={ids.id}
          name="username"
          className="hall-input"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={id}
          onChange={(e) => setId(e.target.value)}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? ids.error : undefined}
          required
        />
      </div>
      <div className="hall-field">
        <label htmlFor={ids.secret}>{t(`login.secretLabel.${kind}`)}</label>
        <input
          id={ids.secret}
          name="secret"
          type="password"
          className="hall-input"
          autoComplete={kind === 'password' ? 'current-password' : 'off'}
          inputMode={kind === 'code' ? 'numeric' : undefined}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? ids.error : undefined}
          required
        />
      </div>
      {message ? (
        <p id={ids.error} role="alert" className="hall-login__error">
          {message}
        </p>
      ) : null}
      <button type="submit" className="hall-button hall-button--primary hall-login__submit" disabled={busy || throttled} aria-busy={busy || undefined}>
        {busy ? t('login.submitting') : t('login.submit')}
      </button>
    </form>
  );
}
