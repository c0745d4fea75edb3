/** One download of the records API: fetched with the token, saved under the server's file name; failures said. */
import { useState, type ReactNode } from 'react';
import { useT } from '../../i18n.ts';
import { useNotify } from '../ui/notices.tsx';
import { download, errorText } from './api.ts';

export function DownloadButton({ token, url, label, children }: { token: string; url: string; label?: string; children: ReactNode }) {
  const { t } = useT();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-small"
      aria-label={label}
      aria-busy={busy || undefined}
      onClick={() => {
        setBusy(true);
        download(token, url)
          .catch((err: unknown) => notify(t('records.exports.failed', { message: errorText(err) }), 'error'))
          .finally(() => setBusy(false));
      }}
    >
      <span aria-hidden="true">⤓ </span>
      {children}
    </button>
  );
}
