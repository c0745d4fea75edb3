import type { ConnectionState } from '../../client.ts';
import { useConnectionOptional } from '../context.tsx';
import { useKitTranslation } from '../i18n.ts';
import { cx } from './util.ts';

export interface ConnectionBannerProps {
  /** Shown state; default: the provider's client. */
  state?: ConnectionState;
  /** Offered as a button when the sign-in is no longer valid. */
  onLogin?: () => void;
  /** Show the banner while the very first connection is made (default true). */
  showConnecting?: boolean;
  className?: string;
}

const ICONS: Record<ConnectionState, string> = {
  connecting: '…',
  connected: '✓',
  reconnecting: '↻',
  offline: '✕',
  unauthorized: '!',
};

/**
 * Says plainly when actions may not reach the server. Nothing while connected. Losing the network or the sign-in
 * is an alert (the delegate must know their vote may not be in); reconnecting is a polite status.
 */
export function ConnectionBanner({ state, onLogin, showConnecting = true, className }: ConnectionBannerProps) {
  const { t } = useKitTranslation();
  const live = useConnectionOptional();
  const s = state ?? live ?? 'connected';
  if (s === 'connected' || (s === 'connecting' && !showConnecting)) return null;
  const urgent = s === 'offline' || s === 'unauthorized';
  return (
    <div role={urgent ? 'alert' : 'status'} className={cx('hall-banner', `hall-banner--${s}`, className)} data-state={s}>
      <span className="hall-banner__icon" aria-hidden="true">
        {ICONS[s]}
      </span>
      <span className="hall-banner__text">{t(`connection.${s}`)}</span>
      {s === 'unauthorized' && onLogin ? (
        <button type="button" className="hall-button hall-banner__action" onClick={onLogin}>
          {t('connection.loginAgain')}
        </button>
      ) : null}
    </div>
  );
}
