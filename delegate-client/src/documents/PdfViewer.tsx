/**
 * Full-screen document reader: one page at a time, large page and zoom buttons, keyboard arrows. The PDF is fetched
 * with the bearer token and rendered with pdf.js into a canvas at the screen's pixel density.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { PDFDocumentProxy, RenderTask } from 'pdfjs-dist';
import { ApiError, fetchDocument } from '../api.ts';
import { SpeakingBanner } from '../floor/FloorPanel.tsx';
import { useT } from '../i18n.ts';
import { IconChevronLeft, IconChevronRight, IconCross, IconMinus, IconPlus } from '../ui/icons.tsx';
import { openPdf, type OpenedPdf } from './pdf.ts';

export interface PdfViewerProps {
  token: string;
  doc: { id: string; title: string };
  onClose: () => void;
}

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3];

type Load = { state: 'loading' } | { state: 'ready'; pdf: PDFDocumentProxy } | { state: 'failed'; notFound: boolean };

export default function PdfViewer({ token, doc, onClose }: PdfViewerProps) {
  const { t } = useT();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const titleId = useId();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [page, setPage] = useState(1);
  /** null = fit the page to the screen width (the default: readable without zooming on a tablet). */
  const [zoom, setZoom] = useState<number | null>(null);
  const [fitScale, setFitScale] = useState(1);
  const [pageInput, setPageInput] = useState('1');

  useEffect(() => {
    dialogRef.current?.showModal();
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    let opened: OpenedPdf | null = null;
    setLoad({ state: 'loading' });
    fetchDocument(token, doc.id, abort.signal)
      .then(openPdf)
      .then((o) => {
        opened = o;
        if (abort.signal.aborted) return void o.destroy();
        setLoad({ state: 'ready', pdf: o.pdf });
        setPage(1);
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        setLoad({ state: 'failed', notFound: err instanceof ApiError && err.status === 404 });
      });
    return () => {
      abort.abort();
      void opened?.destroy();
    };
  }, [token, doc.id]);

  const pages = load.state === 'ready' ? load.pdf.numPages : 0;
  const scale = zoom ?? fitScale;

  // Render the current page; a newer render cancels the one in flight (fast page turns, pinch of the zoom buttons).
  useEffect(() => {
    if (load.state !== 'ready') return;
    let task: RenderTask | null = null;
    let cancelled = false;
    void (async () => {
      const p = await load.pdf.getPage(page);
      if (cancelled) return;
      const stage = stageRef.current;
      const canvas = canvasRef.current;
      if (!stage || !canvas) return;
      const base = p.getViewport({ scale: 1 });
      const fit = Math.max(0.25, (stage.clientWidth - 32) / base.width);
      setFitScale(fit);
      const css = zoom ?? fit;
      const dpr = Math.min(globalThis.devicePixelRatio || 1, 3);
      const viewport = p.getViewport({ scale: css * dpr });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.style.width = `${Math.floor(viewport.width / dpr)}px`;
      canvas.style.height = `${Math.floor(viewport.height / dpr)}px`;
      task = p.render({ canvas, viewport });
      await task.promise.catch(() => undefined);
    })();
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [load, page, zoom]);

  useEffect(() => setPageInput(String(page)), [page]);

  const go = useCallback((n: number) => setPage((cur) => (pages ? Math.min(pages, Math.max(1, n)) : cur)), [pages]);
  const zoomBy = useCallback(
    (dir: 1 | -1) =>
      setZoom((z) => {
        const cur = z ?? fitScale;
        const next = dir > 0 ? ZOOMS.find((s) => s > cur + 0.01) : [...ZOOMS].reverse().find((s) => s < cur - 0.01);
        return next ?? cur;
      }),
    [fitScale],
  );

  return (
    <dialog
      ref={dialogRef}
      className="viewer"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        if (e.target instanceof HTMLInputElement) return;
        if (e.key === 'ArrowRight' || e.key === 'PageDown') go(page + 1);
        else if (e.key === 'ArrowLeft' || e.key === 'PageUp') go(page - 1);
        else if (e.key === '+' || e.key === '=') zoomBy(1);
        else if (e.key === '-') zoomBy(-1);
        else return;
        e.preventDefault();
      }}
    >
      <header className="viewer__bar">
        <h2 id={titleId} className="viewer__title">
          {doc.title}
        </h2>
        <button type="button" className="btn btn--secondary btn--icon-text" onClick={onClose}>
          <IconCross size={28} />
          <span>{t('documents.close')}</span>
        </button>
      </header>
      {/* A delegate reading a paper when the chair gives them the floor sees it here, and may speak from the page. */}
      <div className="viewer__floor">
        <SpeakingBanner placement="viewer" />
      </div>

      <div ref={stageRef} className="viewer__stage" tabIndex={0} aria-label={pages ? t('documents.page', { page, pages }) : t('documents.viewer')}>
        {load.state === 'loading' ? <p className="viewer__msg">{t('documents.loading')}</p> : null}
        {load.state === 'failed' ? (
          <p className="viewer__msg viewer__msg--error" role="alert">
            {load.notFound ? t('documents.notFound') : t('documents.failed')}
          </p>
        ) : null}
        <canvas ref={canvasRef} className="viewer__canvas" hidden={load.state !== 'ready'} role="img" aria-label={t('documents.page', { page, pages })} />
      </div>

      <nav className="viewer__controls" aria-label={t('documents.viewer')}>
        <button type="button" className="btn btn--secondary btn--icon-text" onClick={() => go(page - 1)} disabled={page <= 1 || !pages}>
          <IconChevronLeft />
          <span>{t('documents.prev')}</span>
        </button>
        <form
          className="viewer__goto"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number.parseInt(pageInput, 10);
            if (Number.isFinite(n)) go(n);
          }}
        >
          <label htmlFor={`${titleId}-page`} className="visually-hidden">
            {t('documents.goTo')}
          </label>
          <input
            id={`${titleId}-page`}
            className="viewer__page-input"
            inputMode="numeric"
            value={pageInput}
            onChange={(e) => setPageInput(e.target.value.replace(/\D/g, ''))}
            onBlur={() => setPageInput(String(page))}
            disabled={!pages}
          />
          <span className="viewer__pages" aria-live="polite">
            / {pages || '…'}
          </span>
        </form>
        <button type="button" className="btn btn--secondary btn--icon-text" onClick={() => go(page + 1)} disabled={!pages || page >= pages}>
          <span>{t('documents.next')}</span>
          <IconChevronRight />
        </button>
        <span className="viewer__sep" aria-hidden="true" />
        <button type="button" className="btn btn--secondary btn--square" onClick={() => zoomBy(-1)} disabled={!pages} aria-label={t('documents.zoomOut')}>
          <IconMinus />
        </button>
        <span className="viewer__zoom" aria-live="polite">
          {t('documents.zoom', { percent: Math.round(scale * 100) })}
        </span>
        <button type="button" className="btn btn--secondary btn--square" onClick={() => zoomBy(1)} disabled={!pages} aria-label={t('documents.zoomIn')}>
          <IconPlus />
        </button>
        <button type="button" className="btn btn--secondary btn--toggle" onClick={() => setZoom(null)} disabled={!pages} aria-pressed={zoom === null}>
          {t('documents.fitWidth')}
        </button>
      </nav>
    </dialog>
  );
}
