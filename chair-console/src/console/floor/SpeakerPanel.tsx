/** The speaker the hall is watching, their live countdown (red and "+" in overtime), extend and stop. */
import { SpeakerCard, useView } from '@hall/client-kit/react';
import { useT } from '../../i18n.ts';
import { formatDuration } from '../data.ts';
import { CommandButton, useAction } from '../ui/command.tsx';
import { useShortcut } from '../ui/shortcuts.tsx';

export function SpeakerPanel() {
  const view = useView();
  const { t } = useT();
  const stop = useAction('floor.stop', {});
  const extend = useAction('floor.extend', { addSec: 60 });
  useShortcut('s', () => stop.run(), stop.visible);
  useShortcut('+', () => extend.run(), extend.visible);
  if (!view) return null;
  const s = view.speaker;
  const question = s?.questionId ? view.questions?.find((q) => q.questionId === s.questionId) : null;
  return (
    <section className={`panel speaker-panel${s?.overtime ? ' is-overtime' : ''}`} aria-labelledby="speaker-title">
      <h2 id="speaker-title" className="panel-title">
        {t('speaker.title')}
      </h2>
      <SpeakerCard speaker={s} size="large" headingLevel={3} />
      {s && (
        <>
          {s.overtime && (
            <p className="overtime-flag" role="alert">
              <span aria-hidden="true">⚠ </span>
              {t('speaker.overtime')}
            </p>
          )}
          <p className="muted small">
            {t('speaker.limit', { time: formatDuration(s.limitSec) })}
            {s.extendedSec > 0 && ` · ${t('speaker.extended', { time: formatDuration(s.extendedSec) })}`}
          </p>
          {question?.text && <p className="question-text">{t('speaker.question', { text: question.text })}</p>}
          <div className="row">
            <CommandButton type="floor.extend" payload={{ addSec: 60 }} hint={t('speaker.extend1Hint')} shortcut="+">
              {t('speaker.extend1')}
            </CommandButton>
            <CommandButton type="floor.extend" payload={{ addSec: 180 }} hint={t('speaker.extend3Hint')}>
              {t('speaker.extend3')}
            </CommandButton>
            <CommandButton type="floor.stop" payload={{}} variant="danger" shortcut="s">
              <span aria-hidden="true">■ </span>
              {t('speaker.stop')}
              <kbd className="btn-kbd" aria-hidden="true">
                S
              </kbd>
            </CommandButton>
          </div>
        </>
      )}
    </section>
  );
}
