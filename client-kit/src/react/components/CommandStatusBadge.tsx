import type { CommandStatus, ConnectionState, PendingCommand } from '../../client.ts';
import { useCommandStatus, useConnectionOptional } from '../context.tsx';
import { refusalText, useKitTranslation } from '../i18n.ts';
import { cx } from './util.ts';

export interface CommandStatusBadgeProps {
  /** The command to follow live (from `send`). */
  command?: PendingCommand | null;
  /** Or a status to show as is. */
  status?: CommandStatus | null;
  /** Default: the provider's connection. */
  connection?: ConnectionState;
  className?: string;
}

/**
 * What became of a command, in the words a delegate needs after pressing "Tán thành": sending, recorded (only ever on
 * the server's ok), refused with the reason, or — while the connection is down or the first try went unanswered —
 * "not recorded yet, resending", so nobody mistakes a pending ballot for a counted one.
 */
export function CommandStatusBadge({ command, status, connection, className }: CommandStatusBadgeProps) {
  const { t } = useKitTranslation();
  const live = useCommandStatus(command);
  const liveConnection = useConnectionOptional();
  const conn = connection ?? liveConnection ?? 'connected';
  const s = status ?? live;
  if (!s) return null;

  let kind: 'sending' | 'resending' | 'recorded' | 'refused';
  let text: string;
  switch (s.state) {
    case 'sending': {
      const resending = conn !== 'connected' || (command?.attempts ?? 1) > 1;
      kind = resending ? 'resending' : 'sending';
      text = t(resending ? 'command.resending' : 'command.sending');
      break;
    }
    case 'recorded':
      kind = 'recorded';
      text = t('command.recorded');
      break;
    case 'refused':
      kind = 'refused';
      text = refusalText(t, s);
      break;
  }
  const icon = { sending: '…', resending: '↻', recorded: '✓', refused: '✕' }[kind];
  return (
    <span role="status" aria-live="polite" className={cx('hall-badge', `hall-badge--${kind}`, className)} data-state={kind}>
      <span className="hall-badge__icon" aria-hidden="true">
        {icon}
      </span>
      {kind === 'refused' ? <span className="hall-sr-only">{t('command.refused')}: </span> : null}
      <span className="hall-badge__text">{text}</span>
    </span>
  );
}
