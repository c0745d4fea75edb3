/**
 * One polite live region for what happened to the chair's actions (refusals above all): a refused command must be
 * read out and seen even when the button that sent it has scrolled away.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useT } from '../../i18n.ts';

export type NoticeKind = 'error' | 'info';
interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

const NoticeContext = createContext<(text: string, kind?: NoticeKind) => void>(() => undefined);

export const useNotify = () => useContext(NoticeContext);

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const next = useRef(1);
  const { t } = useT();
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const notify = useCallback(
    (text: string, kind: NoticeKind = 'info') => {
      const id = next.current++;
      // The same refusal twice in a row (a key held down) is one notice, not a stack of them.
      setNotices((list) => [...list.filter((n) => n.text !== text), { id, kind, text }].slice(-3));
      setTimeout(() => dismiss(id), kind === 'error' ? 12_000 : 5_000);
    },
    [dismiss],
  );
  const value = useMemo(() => notify, [notify]);
  return (
    <NoticeContext.Provider value={value}>
      {children}
      <div className="notices" role="status" aria-live="polite" aria-relevant="additions">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.kind}`}>
            <span aria-hidden="true" className="notice-icon">
              {n.kind === 'error' ? '✕' : 'ℹ'}
            </span>
            <span className="notice-text">{n.text}</span>
            <button type="button" className="btn-icon" onClick={() => dismiss(n.id)} aria-label={t('dialog.close')}>
              ×
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}
