import { remaining } from '../../time.ts';
import { useServerNow } from '../context.tsx';
import { useKitTranslation } from '../i18n.ts';
import { cx } from './util.ts';

export interface CountdownProps {
  /** Deadline on the server's clock (ms), e.g. `speaker.endsAt` or `poll.closesAt`. */
  endsAt: number;
  /** The server's own overtime flag (`speaker.overtime`): shown even if this device's clock has not got there. */
  overtime?: boolean;
  /** Caption while time is left (default "Thời gian còn lại"). */
  label?: string;
  /** Fixed server time, for stills and tests; default: the client's ticking server clock. */
  now?: number;
  size?: 'normal' | 'large' | 'wall';
  className?: string;
}

/**
 * The big clock. Screen readers get the time through the label on demand, not every second (`aria-live="off"`): a
 * live region ticking four times a second would drown everything else. Overtime is said in words and with a "+", not
 * only in red.
 */
export function Countdown({ endsAt, overtime = false, label, now, size = 'large', className }: CountdownProps) {
  const { t } = useKitTranslation();
  const ticking = useServerNow(now === undefined ? 250 : 0);
  const r = remaining(endsAt, now ?? ticking);
  const over = r.overtime || overtime;
  const text = r.overtime || !overtime ? r.label : '+00:00';
  const caption = over ? t('floor.timeUp') : (label ?? t('floor.timeLeft'));
  const spoken = over ? t('time.overtimeLabel', { time: text }) : `${label ?? t('floor.timeLeft')} ${text}`;
  return (
    <div
      role="timer"
      aria-live="off"
      aria-label={spoken}
      className={cx('hall-countdown', `hall-countdown--${size}`, over && 'hall-countdown--overtime', className)}
      data-overtime={over ? 'true' : undefined}
    >
      <span className="hall-countdown__caption" aria-hidden="true">
        {caption}
      </span>
      <span className="hall-countdown__value" aria-hidden="true">
        {text}
      </span>
    </div>
  );
}
