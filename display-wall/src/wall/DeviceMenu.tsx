import { LanguageSwitch } from '@hall/client-kit/react';
import { useEffect, useRef, useState } from 'react';
import { useStrings } from '../shared/i18n.ts';

const IDLE_MS = 4000;

/**
 * The wall's few controls (full screen, change session, sign out, language), for whoever installs it. They stay out
 * of the picture — and the mouse pointer with them — until the mouse moves or a key brings focus to them.
 */
export function DeviceMenu({ onChangeSession, onSignOut }: { onChangeSession: () => void; onSignOut: () => void }) {
  const { t, w } = useStrings();
  const [awake, setAwake] = useState(false);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wake = () => {
      setAwake(true);
      clearTimeout(timer);
      timer = setTimeout(() => setAwake(false), IDLE_MS);
    };
    window.addEventListener('pointermove', wake);
    window.addEventListener('keydown', wake);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointermove', wake);
      window.removeEventListener('keydown', wake);
    };
  }, []);

  useEffect(() => {
    document.documentElement.classList.toggle('pointer-idle', !awake);
  }, [awake]);

  const fullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void document.documentElement.requestFullscreen?.().catch(() => undefined);
  };

  return (
    <nav className={`device-menu${awake ? ' device-menu--awake' : ''}`} aria-label={w('settings')}>
      <button type="button" className="hall-button" onClick={fullscreen}>
        {w('fullscreen')}
      </button>
      <button type="button" className="hall-button" onClick={onChangeSession}>
        {w('changeSession')}
      </button>
      <button type="button" className="hall-button" onClick={() => setConfirming(true)}>
        {w('signOut')}
      </button>
      <LanguageSwitch />
      {confirming && (
        <ConfirmDialog
          message={`${w('signOut')}?`}
          confirmLabel={w('signOut')}
          cancelLabel={t('actions.cancel')}
          onConfirm={() => {
            setConfirming(false);
            onSignOut();
          }}
          onCancel={() => setConfirming(false)}
        />
      )}
    </nav>
  );
}

/** Enter confirms, Esc cancels; focus starts on the confirm button and returns to the page afterwards. */
function ConfirmDialog({ message, confirmLabel, cancelLabel, onConfirm, onCancel }: { message: string; confirmLabel: string; cancelLabel: string; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby="confirm-msg"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm();
        }}
      >
        <p id="confirm-msg" className="confirm__msg">
          {message}
        </p>
        <div className="confirm__actions">
          <button type="button" className="hall-button" onClick={onCancel}>
            {cancelLabel}
          </button>
          <button type="submit" className="hall-button hall-button--primary" autoFocus>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
