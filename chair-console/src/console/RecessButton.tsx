/**
 * "Tạm nghỉ" asks for how long, so the wall, the tablets and the public page can say when the sitting resumes
 * ("Phiên họp tiếp tục lúc 10:15"). Left empty, the recess has no announced time.
 */
import { formatHallTime } from '@hall/client-kit';
import { useCan, useServerNow } from '@hall/client-kit/react';
import { useId, useState } from 'react';
import { useT } from '../i18n.ts';
import { Dialog } from './ui/Dialog.tsx';
import { useAction, useRoleMay } from './ui/command.tsx';

export function RecessButton() {
  const { t, k } = useT();
  const may = useRoleMay('session.recess');
  const verdict = useCan('session.recess', {});
  const [open, setOpen] = useState(false);
  const reasonId = useId();
  if (!may || verdict.code === 'FORBIDDEN') return null;
  return (
    <span className="cmd">
      <button
        type="button"
        className="btn"
        aria-disabled={!verdict.ok || undefined}
        aria-describedby={!verdict.ok ? reasonId : undefined}
        title={!verdict.ok ? verdict.message : undefined}
        onClick={() => verdict.ok && setOpen(true)}
      >
        {k('common:sessionActions.recess')}
      </button>
      {!verdict.ok && (
        <span id={reasonId} className="hall-sr-only">
          {verdict.message}
        </span>
      )}
      {open && <RecessDialog onClose={() => setOpen(false)} title={t('lifecycle.recessTitle')} />}
    </span>
  );
}

function RecessDialog({ onClose, title }: { onClose: () => void; title: string }) {
  const { t, k, lang } = useT();
  const now = useServerNow(1000);
  const [minutes, setMinutes] = useState('15');
  const inputId = useId();
  const n = Number(minutes);
  const valid = minutes.trim() === '' || (Number.isInteger(n) && n >= 1 && n <= 720);
  const payload = minutes.trim() === '' || !valid ? {} : { resumeInMin: n };
  const action = useAction('session.recess', payload);
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      onSubmit={() => {
        if (valid && action.run()) onClose();
      }}
      submitLabel={k('common:sessionActions.recess')}
      submitDisabled={!valid || !action.verdict.ok}
      submitHint={!valid ? t('lifecycle.recessMinutesHint') : action.verdict.message}
    >
      <label htmlFor={inputId} className="field-label">
        {t('lifecycle.recessMinutes')}
      </label>
      <input
        id={inputId}
        className="input"
        type="number"
        inputMode="numeric"
        min={1}
        max={720}
        value={minutes}
        onChange={(e) => setMinutes(e.target.value)}
        data-autofocus
      />
      <p className="dialog-text" aria-live="polite">
        {valid && payload.resumeInMin !== undefined
          ? k('common:recess.resumesAt', { time: formatHallTime(now + payload.resumeInMin * 60_000, lang) })
          : k('common:recess.noTime')}
      </p>
    </Dialog>
  );
}
