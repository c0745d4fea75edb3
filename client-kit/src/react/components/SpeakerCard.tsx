import type { SpeakerView } from '@hall/core';
import { useId } from 'react';
import { useKitTranslation } from '../i18n.ts';
import { Countdown } from './Countdown.tsx';
import { cx, heading, type HeadingLevel } from './util.ts';

export interface SpeakerCardProps {
  speaker: SpeakerView | null | undefined;
  showCountdown?: boolean;
  size?: 'normal' | 'large' | 'wall';
  headingLevel?: HeadingLevel;
  /** Fixed server time for the countdown (stills, tests). */
  now?: number;
  className?: string;
}

/** Who has the floor: name, delegate group or post, why they speak, and their time. */
export function SpeakerCard({ speaker, showCountdown = true, size = 'large', headingLevel = 2, now, className }: SpeakerCardProps) {
  const { t } = useKitTranslation();
  const titleId = useId();
  const H = heading(headingLevel);
  if (!speaker) {
    return (
      <section className={cx('hall-speaker', 'hall-speaker--empty', className)} aria-label={t('floor.speaking')}>
        <p className="hall-speaker__empty">{t('floor.nobodySpeaking')}</p>
      </section>
    );
  }
  return (
    <section className={cx('hall-speaker', speaker.overtime && 'hall-speaker--overtime', className)} aria-labelledby={titleId}>
      <p className="hall-speaker__status">{t('floor.speaking')}</p>
      <H id={titleId} className="hall-speaker__name">
        {speaker.name}
      </H>
      {speaker.role ? <p className="hall-speaker__role">{speaker.role}</p> : null}
      <p className="hall-speaker__purpose">
        {t(`purposes.${speaker.purpose}`)}
        {speaker.kind !== 'delegate' ? ` · ${t(`speakerKinds.${speaker.kind}`)}` : null}
      </p>
      {showCountdown ? <Countdown endsAt={speaker.endsAt} overtime={speaker.overtime} size={size} {...(now !== undefined ? { now } : {})} /> : null}
    </section>
  );
}
