import type { ReactNode } from 'react';
import { useState } from 'react';
import { useStrings } from '../i18n.ts';
import type { Loaded } from '../useData.ts';

/** Loading and error states of a page, in the visitor's language. */
export function Loading<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { p } = useStrings();
  if (loaded.state === 'loading') return <p aria-busy="true">{p('loading')}</p>;
  if (loaded.state === 'error') return <p role="alert">{p('loadFailed', { message: loaded.message })}</p>;
  return <>{children(loaded.data)}</>;
}

/** Share (copy this page's address) and print: every page of the record is meant to be passed on or filed. */
export function PageTools() {
  const { p } = useStrings();
  const [copied, setCopied] = useState(false);
  const share = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="pr-tools">
      <button type="button" onClick={share}>
        {copied ? p('copied') : p('share')}
      </button>
      <button type="button" onClick={() => print()}>
        {p('print')}
      </button>
    </div>
  );
}

