/**
 * "Thiết bị đăng nhập": the devices signed in to this delegate's account, each of which the delegate can sign out —
 * notably one signed in with a QR code someone else issued. And the banner shown when the account signs in on
 * another device while this tablet is open.
 */
import { listDevices, revokeDevice, type DeviceSummary } from '@hall/client-kit';
import { useNotice } from '@hall/client-kit/react';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useAuth } from '../auth/auth-context.ts';
import { formatTimeDay, useT } from '../i18n.ts';

type Load = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; devices: DeviceSummary[] };

export function DevicesDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useT();
  const { token, logout } = useAuth();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [busy, setBusy] = useState<string | null>(null);

  const refresh = useCallback(() => {
    setLoad({ state: 'loading' });
    listDevices(token).then(
      (devices) => setLoad({ state: 'ready', devices }),
      (err: { status?: number }) => (err.status === 401 ? logout('expired') : setLoad({ state: 'failed' })),
    );
  }, [token, logout]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      refresh();
    } else if (!open && dialog.open) dialog.close();
  }, [open, refresh]);

  const revoke = async (device: DeviceSummary) => {
    setBusy(device.jti);
    try {
      await revokeDevice(token, device.jti);
      // Signing this very tablet out is signing out.
      if (device.current) return logout();
      refresh();
    } catch {
      setLoad({ state: 'failed' });
    } finally {
      setBusy(null);
    }
  };


  return (
    <dialog
      ref={ref}
      className="confirm devices"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} className="confirm__title">
        {t('devices.title')}
      </h2>
      <div className="confirm__body">
        {load.state === 'loading' ? <p role="status">{t('loading')}</p> : null}
        {load.state === 'failed' ? <p role="alert">{t('devices.failed')}</p> : null}
        {load.state === 'ready' ? (
          <ul className="devices__list">
            {load.devices.map((d) => (
              <li key={d.jti} className="devices__item">
                <p className="devices__what">
                  <strong>{d.current ? t('devices.this') : t(`devices.via.${d.via}`)}</strong>
                  {d.issuedBy ? <span className="devices__issued"> — {t('devices.issuedBy', { who: d.issuedBy })}</span> : null}
                </p>
                <p className="muted">{t('devices.since', { time: formatTimeDay(d.at) })}</p>
                {d.userAgent ? <p className="muted devices__agent">{d.userAgent}</p> : null}
                <button type="button" className="btn btn--danger" disabled={busy !== null} onClick={() => void revoke(d)}>
                  {d.current ? t('devices.signOutThis') : t('devices.signOut')}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="confirm__actions">
        <button type="button" className="btn btn--secondary btn--lg" onClick={onClose}>
          {t('devices.close')}
        </button>
      </div>
    </dialog>
  );
}

/** Shown when this account signs in elsewhere: the delegate checks it was them, or signs that device out. */
export function SignedInElsewhere({ onShowDevices }: { onShowDevices: () => void }) {
  const { t } = useT();
  const { notice, dismiss } = useNotice(['SIGNED_IN_ELSEWHERE']);
  if (!notice) return null;
  return (
    <div className="banner banner--warning elsewhere" role="alert">
      <p>
        <strong>{t('devices.elsewhere')}</strong>
      </p>
      {notice.message !== t('devices.elsewhere') ? <p className="muted">{notice.message}</p> : null}
      <p className="elsewhere__actions">
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => {
            dismiss();
            onShowDevices();
          }}
        >
          {t('devices.show')}
        </button>
        <button type="button" className="btn btn--secondary" onClick={dismiss}>
          {t('devices.dismiss')}
        </button>
      </p>
    </div>
  );
}
