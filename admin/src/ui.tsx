/** Small pieces the pages share. */
import { useState } from 'react';
import { errorText } from './api.ts';
import { useStrings } from './i18n.ts';

/** A loading / error line. */
export function Status({ loaded }: { loaded: { state: string; message?: string } }) {
  const { a } = useStrings();
  if (loaded.state === 'loading') return <p aria-busy="true">{a('loading')}</p>;
  if (loaded.state === 'error') return <p role="alert">{a('failed', { message: loaded.message })}</p>;
  return null;
}

/** Runs an action, remembering whether it is busy and what went wrong (shown in an alert) or what it said. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const run = async (action: () => Promise<string | void>) => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const said = await action();
      if (said) setNote(said);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const lines = (
    <>
      {error && (
        <p role="alert" className="ad-error">
          {error}
        </p>
      )}
      {note && (
        <p role="status" className="ad-note">
          {note}
        </p>
      )}
    </>
  );
  return { busy, run, lines };
}
