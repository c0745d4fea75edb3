/**
 * Confirmation for irreversible actions: a modal <dialog> (focus is trapped by the browser), Enter confirms, Esc
 * cancels. The confirm button takes focus first so a keyboard user confirms with Enter as the brief asks.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  /** Styles the confirm button; 'danger' for withdrawing or ending something. */
  tone?: 'primary' | 'danger' | 'warning';
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ open, title, children, confirmLabel, cancelLabel, tone = 'primary', onConfirm, onCancel }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      confirmRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={titleId}
      aria-describedby={children ? bodyId : undefined}
      onCancel={(e) => {
        // Esc: the browser would close the dialog itself; the parent's state decides instead.
        e.preventDefault();
        onCancel();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && !(e.target instanceof HTMLTextAreaElement) && !(e.target instanceof HTMLButtonElement)) {
          e.preventDefault();
          onConfirm();
        }
      }}
    >
      <h2 id={titleId} className="confirm__title">
        {title}
      </h2>
      {children ? (
        <div id={bodyId} className="confirm__body">
          {children}
        </div>
      ) : null}
      <div className="confirm__actions">
        <button type="button" className="btn btn--secondary btn--lg" onClick={onCancel}>
          {cancelLabel}
        </button>
        <button ref={confirmRef} type="button" className={`btn btn--${tone} btn--lg`} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
