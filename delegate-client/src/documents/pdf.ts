/**
 * pdf.js, loaded only when a delegate opens a document: it is several hundred kB and most of a sitting never needs
 * it, so it stays out of the initial bundle. The worker is its own file, emitted by Vite from this URL.
 */
import type { PDFDocumentProxy } from 'pdfjs-dist';

let loading: Promise<typeof import('pdfjs-dist')> | null = null;

function pdfjs() {
  loading ??= import('pdfjs-dist').then((lib) => {
    lib.GlobalWorkerOptions.workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).toString();
    return lib;
  });
  return loading;
}

export interface OpenedPdf {
  pdf: PDFDocumentProxy;
  /** Frees the worker's copy of the document (the viewer calls it on close). */
  destroy: () => Promise<void>;
}

export async function openPdf(bytes: ArrayBuffer): Promise<OpenedPdf> {
  const lib = await pdfjs();
  // No WebAssembly: the server's CSP does not allow compiling it, and pdf.js's JS decoders do the same job.
  const task = lib.getDocument({ data: new Uint8Array(bytes), useWasm: false });
  return { pdf: await task.promise, destroy: () => task.destroy() };
}
