/**
 * Every button that sends a command goes through here. Whether it may be pressed is the machine's answer (`useCan`),
 * never a rule written in the console; a button the chair may not press stays focusable (aria-disabled) so the
 * reason can be read out, and pressing it shows the reason instead of sending. A button of a command the account's
 * role may never send (the secretary's view of chair-only actions) is not shown at all.
 */
import { commandRoles, errorMessages, Refusal, type CommandPayload, type CommandType, type RefusalReason } from '@hall/core';
import type { CommandStatus } from '@hall/client-kit';
import type { PendingCommand } from '@hall/client-kit';
import { useCan, useCommand, useHall, type CanResult } from '@hall/client-kit/react';
import { useCallback, useId, useState, type ReactNode } from 'react';
import { useT } from '../../i18n.ts';
import { newId } from '../../ids.ts';
import { Dialog } from './Dialog.tsx';
import { useNotify } from './notices.tsx';
import { StatusBadge } from './StatusBadge.tsx';

/** Payload fields that get a fresh random id each time the command is sent (speechId, pollId…). */
export type FreshIds = readonly string[];

export interface Action<T extends CommandType> {
  verdict: CanResult;
  /** The account's role may send this command at all. */
  visible: boolean;
  /** Sends (with fresh ids) if the machine allows it now; otherwise tells the chair why not. */
  run: (override?: CommandPayload<T>) => PendingCommand<T> | null;
  cmd: PendingCommand<T> | null;
}

/** The server's own words in Vietnamese; in English, core's text for the same reason or code. */
function refusedText(status: Extract<CommandStatus, { state: 'refused' }>, lang: 'vi' | 'en'): string {
  if (lang === 'vi') return status.message;
  if (status.reason && status.reason in Refusal) return Refusal[status.reason].en;
  return errorMessages[status.code]?.en ?? status.message;
}

export function useRoleMay(type: CommandType): boolean {
  const actor = useHall().actor;
  return !!actor && commandRoles[type].includes(actor.role);
}

export function useAction<T extends CommandType>(
  type: T,
  payload: CommandPayload<T>,
  fresh: FreshIds = [],
  /** Refusals that only mean "the server supplies this part" (see CloseButton), treated as allowed. */
  accept: readonly RefusalReason[] = [],
): Action<T> {
  const asked = useCan(type, payload);
  const verdict: CanResult = asked.reason && accept.includes(asked.reason) ? { ok: true } : asked;
  // A FORBIDDEN verdict is about who the account is, never about the moment (e.g. the secretary may close a show of
  // hands but not an electronic vote): such a control does not belong on this desk at all.
  const visible = useRoleMay(type) && verdict.code !== 'FORBIDDEN';
  const { send } = useCommand();
  const notify = useNotify();
  const { t, lang } = useT();
  const [cmd, setCmd] = useState<PendingCommand<T> | null>(null);
  const key = JSON.stringify(payload);

  const run = useCallback(
    (override?: CommandPayload<T>) => {
      if (!override && !verdict.ok) {
        notify(t('command.notNow', { message: verdict.message ?? '' }), 'error');
        return null;
      }
      const body = { ...((override ?? payload) as object) } as Record<string, unknown>;
      for (const field of fresh) body[field] = newId(field.replace(/Id$/, ''));
      const sent = send(type, body as CommandPayload<T>);
      setCmd(sent);
      void sent.done.then((status) => {
        if (status.state === 'refused') notify(t('command.refused', { message: refusedText(status, lang) }), 'error');
      });
      return sent;
    },
    // `payload` is compared by content (key): callers pass object literals.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [verdict, key, type, send, notify, t, lang, fresh.join(',')],
  );
  return { verdict, visible, run, cmd };
}

export interface CommandButtonProps<T extends CommandType> {
  type: T;
  payload: CommandPayload<T>;
  fresh?: FreshIds;
  children: ReactNode;
  /**
   * Accessible name when the visible label needs its row (“Mời hỏi” → “Mời hỏi: Nguyễn Văn A”). It starts with the
   * visible text, so a voice-control user saying what they see finds the button (WCAG 2.5.3).
   */
  label?: string;
  /** A tooltip that explains a terse label (“+1 phút” → “Gia hạn 1 phút”) without changing the name. */
  hint?: string;
  variant?: 'primary' | 'danger' | 'default' | 'quiet' | 'onair';
  small?: boolean;
  className?: string;
  /** Shown in the help and announced (aria-keyshortcuts). */
  shortcut?: string;
  /** Ask before sending: irreversible actions. */
  confirm?: { title: string; body?: ReactNode; submitLabel?: string; danger?: boolean };
  /** Render even when the verdict is only about the role (never used for chair-only buttons on the secretary's desk). */
  forceVisible?: boolean;
  /** Say why not beside the button, not only to screen readers and on hover (forms the chair is filling in). */
  showReason?: boolean;
  accept?: readonly RefusalReason[];
  onSent?: (cmd: PendingCommand<T>) => void;
}

export function CommandButton<T extends CommandType>(props: CommandButtonProps<T>) {
  const { type, payload, fresh, children, label, hint, variant = 'default', small, className, shortcut, confirm, forceVisible, showReason, accept, onSent } = props;
  const action = useAction(type, payload, fresh, accept);
  const [confirming, setConfirming] = useState(false);
  const reasonId = useId();
  if (!action.visible && !forceVisible) return null;
  const { verdict } = action;

  const fire = () => {
    const cmd = action.run();
    if (cmd) onSent?.(cmd);
  };
  const onClick = () => {
    if (!verdict.ok) return fire(); // tells why not
    if (confirm) setConfirming(true);
    else fire();
  };
  const cls = ['btn', variant !== 'default' ? `btn-${variant}` : '', small ? 'btn-small' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <span className="cmd">
      <button
        type="button"
        className={cls}
        onClick={onClick}
        aria-disabled={!verdict.ok || undefined}
        aria-label={label}
        aria-describedby={!verdict.ok ? reasonId : undefined}
        aria-keyshortcuts={shortcut}
        title={!verdict.ok ? verdict.message : (hint ?? label)}
      >
        {children}
      </button>
      {!verdict.ok && (
        <span id={reasonId} className={showReason ? 'hint hint-refused' : 'hall-sr-only'}>
          {verdict.message}
        </span>
      )}
      <StatusBadge cmd={action.cmd} />
      {confirm && (
        <Dialog
          open={confirming}
          title={confirm.title}
          onClose={() => setConfirming(false)}
          onSubmit={() => {
            setConfirming(false);
            fire();
          }}
          submitLabel={confirm.submitLabel ?? (typeof children === 'string' ? children : undefined)}
          submitDisabled={!verdict.ok}
          submitHint={verdict.message}
          danger={confirm.danger}
        >
          {confirm.body}
        </Dialog>
      )}
    </span>
  );
}

/**
 * A command that needs a line of text first (a reason, a sitting title): the button opens a dialog with the field,
 * and the confirm button asks the machine about the payload with the text filled in.
 */
export interface PromptCommandButtonProps<T extends CommandType> extends Omit<CommandButtonProps<T>, 'confirm'> {
  field: string;
  fieldLabel: string;
  initial?: string;
  required?: boolean;
  title: string;
  body?: ReactNode;
  submitLabel?: string;
  danger?: boolean;
}

export function PromptCommandButton<T extends CommandType>(props: PromptCommandButtonProps<T>) {
  const { type, payload, field, fieldLabel, initial = '', required = true, title, body, submitLabel, danger, children, label, variant = 'default', small, fresh, className } = props;
  const base = useCan(type, payload);
  const visible = useRoleMay(type) && base.code !== 'FORBIDDEN';
  const [open, setOpen] = useState(false);
  const reasonId = useId();
  if (!visible) return null;
  const cls = ['btn', variant !== 'default' ? `btn-${variant}` : '', small ? 'btn-small' : '', className ?? ''].filter(Boolean).join(' ');
  // Before the text is typed the verdict is about the rest of the payload; a missing reason is the dialog's business.
  const blocked = !base.ok && base.code !== 'VALIDATION' && base.reason !== 'NEEDS_REASON';
  return (
    <span className="cmd">
      <button
        type="button"
        className={cls}
        aria-disabled={blocked || undefined}
        aria-label={label}
        aria-describedby={blocked ? reasonId : undefined}
        title={blocked ? base.message : label}
        onClick={() => setOpen(true)}
      >
        {children}
      </button>
      {blocked && (
        <span id={reasonId} className="hall-sr-only">
          {base.message}
        </span>
      )}
      {open && (
        <PromptDialog
          {...{ type, payload, field, fieldLabel, initial, required, title, body, submitLabel, danger, fresh }}
          submitLabel={submitLabel ?? (typeof children === 'string' ? children : undefined)}
          onClose={() => setOpen(false)}
        />
      )}
    </span>
  );
}

function PromptDialog<T extends CommandType>(
  props: Pick<PromptCommandButtonProps<T>, 'type' | 'payload' | 'field' | 'fieldLabel' | 'initial' | 'required' | 'title' | 'body' | 'submitLabel' | 'danger' | 'fresh'> & { onClose: () => void },
) {
  const { type, payload, field, fieldLabel, initial = '', required, title, body, submitLabel, danger, fresh, onClose } = props;
  const [text, setText] = useState(initial);
  const inputId = useId();
  const trimmed = text.trim();
  const full = { ...(payload as object), ...(trimmed || required ? { [field]: trimmed } : {}) } as CommandPayload<T>;
  const action = useAction(type, full, fresh);
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      onSubmit={() => {
        if (action.run()) onClose();
      }}
      submitLabel={submitLabel}
      submitDisabled={!action.verdict.ok}
      submitHint={action.verdict.code === 'VALIDATION' ? fieldLabel : action.verdict.message}
      danger={danger}
    >
      {body && <div className="dialog-text">{body}</div>}
      <label htmlFor={inputId} className="field-label">
        {fieldLabel}
      </label>
      <input id={inputId} className="input" value={text} onChange={(e) => setText(e.target.value)} data-autofocus maxLength={500} required={required} />
    </Dialog>
  );
}
