/**
 * Documents: those the frozen agenda names, plus anything uploaded since (the session's document list). Opening one
 * loads the viewer — and pdf.js with it — only then.
 */
import type { AgendaItem, SessionView } from '@hall/core';
import { createContext, lazy, Suspense, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { formatSize, listSessionDocuments, type DocumentMeta } from '../api.ts';
import { useAuth } from '../auth/auth-context.ts';
import { useT } from '../i18n.ts';
import { ErrorBoundary } from '../ui/ErrorBoundary.tsx';
import { IconDoc } from '../ui/icons.tsx';

const PdfViewer = lazy(() => import('./PdfViewer.tsx'));

export interface DocEntry {
  id: string;
  title: string;
  size?: number;
}

interface DocsApi {
  byItem: (itemId: string) => DocEntry[];
  open: (doc: DocEntry) => void;
  refresh: () => void;
}

const DocsContext = createContext<DocsApi | null>(null);

export function DocumentsProvider({ view, children }: { view: SessionView; children: ReactNode }) {
  const { token } = useAuth();
  const { t, tc } = useT();
  const [uploaded, setUploaded] = useState<DocumentMeta[]>([]);
  const [opened, setOpened] = useState<DocEntry | null>(null);
  const [tick, setTick] = useState(0);
  const sessionId = view.sessionId;

  useEffect(() => {
    const abort = new AbortController();
    listSessionDocuments(token, sessionId, abort.signal).then(
      (docs) => {
        if (!abort.signal.aborted) setUploaded(docs);
      },
      // The agenda's own documents still show; the extra list comes back on the next refresh.
      () => undefined,
    );
    return () => abort.abort();
  }, [token, sessionId, tick]);

  // Refresh when the current item changes: that is when a delegate looks for the item's papers.
  useEffect(() => setTick((n) => n + 1), [view.currentItemId]);

  // An opened poll takes the screen: the viewer (a modal on top of everything) must not hide the ballot.
  const openPollId = view.poll?.status === 'open' ? view.poll.pollId : null;
  useEffect(() => {
    if (openPollId) setOpened(null);
  }, [openPollId]);

  const agenda = view.agenda;
  const byItem = useCallback(
    (itemId: string): DocEntry[] => {
      const item = agenda.find((i: AgendaItem) => i.id === itemId);
      const out: DocEntry[] = [];
      const seen = new Set<string>();
      for (const d of item?.documents ?? []) {
        const meta = uploaded.find((u) => u.id === d.id);
        out.push({ id: d.id, title: d.title, ...(meta?.size !== undefined ? { size: meta.size } : {}) });
        seen.add(d.id);
      }
      for (const u of uploaded) {
        if (u.itemId === itemId && !seen.has(u.id)) out.push({ id: u.id, title: u.title, ...(u.size !== undefined ? { size: u.size } : {}) });
      }
      return out;
    },
    [agenda, uploaded],
  );

  const api = useMemo<DocsApi>(() => ({ byItem, open: setOpened, refresh: () => setTick((n) => n + 1) }), [byItem]);
  return (
    <DocsContext.Provider value={api}>
      {children}
      {opened ? (
        <ErrorBoundary
          key={opened.id}
          fallback={() => (
            <div className="viewer-loading" role="alert">
              <div className="viewer-loading__box">
                <p>{t('documents.failed')}</p>
                <button type="button" className="btn btn--primary btn--lg" onClick={() => setOpened(null)}>
                  {tc('actions.close')}
                </button>
              </div>
            </div>
          )}
        >
          <Suspense
            fallback={
              <div className="viewer-loading" role="status">
                {t('documents.loading')}
              </div>
            }
          >
            <PdfViewer token={token} doc={opened} onClose={() => setOpened(null)} />
          </Suspense>
        </ErrorBoundary>
      ) : null}
    </DocsContext.Provider>
  );
}

export function useDocs(): DocsApi {
  const api = useContext(DocsContext);
  if (!api) throw new Error('useDocs: wrap in <DocumentsProvider>');
  return api;
}

export function DocumentList({ itemId, emptyText }: { itemId: string; emptyText?: string }) {
  const { t, lang } = useT();
  const docs = useDocs();
  const list = docs.byItem(itemId);
  if (list.length === 0) return <p className="muted">{emptyText ?? t('documents.none')}</p>;
  return (
    <ul className="doc-list">
      {list.map((d) => (
        <li key={d.id}>
          <button type="button" className="doc" onClick={() => docs.open(d)}>
            <IconDoc size={36} />
            <span className="doc__title">{d.title}</span>
            {d.size !== undefined ? <span className="doc__size">{formatSize(d.size, lang)}</span> : null}
            {/* Part of the button's name: a voice-control user says the word they see. */}
            <span className="doc__open">{t('documents.open')}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
