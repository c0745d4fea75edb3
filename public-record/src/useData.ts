import { useEffect, useState } from 'react';
import { getJson } from './api.ts';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ok'; data: T };

/** Fetches a JSON document of the public API whenever the URL changes. */
export function useData<T>(url: string | null): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (url === null) return;
    let live = true;
    setLoaded({ state: 'loading' });
    getJson<T>(url).then(
      (data) => live && setLoaded({ state: 'ok', data }),
      (err: unknown) => live && setLoaded({ state: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [url]);
  return loaded;
}
