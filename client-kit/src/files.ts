/**
 * Files behind a bearer token (PDFs, exports, login cards). A plain link cannot carry the token, so every app fetches
 * the file as a Blob and hands it to the browser from an object URL; these helpers are that one path for all apps.
 */
import { HallError, httpFailure } from './errors.ts';

export interface FetchedFile {
  blob: Blob;
  /** From Content-Disposition (`filename*=UTF-8''…` first), else the last part of the URL's path. */
  fileName: string;
  headers: Headers;
}

/** The file name a server suggested in Content-Disposition, or `fallback`. */
export function fileNameOf(headers: Headers, fallback: string): string {
  const cd = headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      // A malformed escape (a stray %) from a proxy or an old server: the plain name, or the fallback, still serves.
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1]! : fallback;
}

/**
 * Fetches a file with the token. A failed answer becomes a HallError with the server's own (Vietnamese) message and
 * the HTTP status; no answer at all is NETWORK.
 */
export async function fetchFile(token: string | null, url: string, opts: { method?: string; body?: unknown; fetch?: typeof fetch } = {}): Promise<FetchedFile> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { method: opts.method ?? 'GET', headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  } catch {
    throw new HallError('NETWORK');
  }
  if (!res.ok) {
    throw httpFailure(res.status, (await res.json().catch(() => null)) as { code?: unknown; message?: unknown } | null);
  }
  return { blob: await res.blob(), fileName: fileNameOf(res.headers, url.split('?')[0]!.split('/').pop() || 'tep'), headers: res.headers };
}

/** Hands a Blob to the browser as a download named `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the blob by the next task; freeing it keeps a long session's memory flat.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
