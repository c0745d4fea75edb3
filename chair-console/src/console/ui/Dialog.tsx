/**
 * A modal dialog on the native <dialog>: focus is trapped and restored by the browser, Esc cancels, and the body is a
 * form, so Enter in a field (or on the focused confirm button) confirms.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useT } from '../../i18n.ts';

export interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  /** Called on Enter / the confirm button; omit for a dialog that only informs. */
  onSubmit?: () => void;
  submitLabel?: string;
  submitDisabled?: boolean;
  /** Why the confirm button is disabled, shown beside it. */
  submitHint?: string | undefined;
  danger?: boolean;
  wide?: boolean;
  children?: ReactNode;
  /** Extra content in the footer, left of the buttons (a command status). */
  footer?: ReactNode;
}

export function Dialog({ open, title, onClose, onSubmit, submitLabel, submitDisabled, submitHint, danger, wide, children, footer }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const hintId = useId();
  const { t } = useT();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // The first field marked for it, else the confirm button, so Enter confirms straight away.
      const first = d.querySelector<HTMLElement>('[data-autofocus]') ?? d.querySelector<HTMLElement>('button[type="submit"]');
      first?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClose={() => {
        if (open) onClose();
      }}
    >
      {open && (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            if (onSubmit && !submitDisabled) onSubmit();
          }}
        >
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          <div className="dialog-body">{children}</div>
          <div className="dialog-footer">
            <div className="dialog-footer-info">
              {submitHint && submitDisabled ? (
                <span id={hintId} className="hint hint-refused">
                  {submitHint}
                </span>
              ) : (
                <span className="hint">{onSubmit ? t('dialog.enterEsc') : ''}</span>
              )}
              {footer}
            </div>
            <button type="button" className="btn" onClick={onClose}>
              {onSubmit ? t('dialog.cancel') : t('dialog.close')}
            </button>
            {onSubmit && (
              <button
                type="submit"
                className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
                aria-disabled={submitDisabled || undefined}
                aria-describedby={submitHint && submitDisabled ? hintId : undefined}
              >
                {submitLabel ?? t('dialog.confirm')}
              </button>
            )}
          </div>
        </form>
      )}
    </dialog>
  );
}
